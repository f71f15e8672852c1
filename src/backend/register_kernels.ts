// The one list of kernels the native backend implements itself; every other kernel is
// tfjs's CPU kernel, registered again under the native backend's name.
import { KernelConfig } from '@tensorflow/tfjs-core';

import { absConfig } from './kernels/Abs';
import { addConfig } from './kernels/Add';
import { avgPoolConfig } from './kernels/AvgPool';
import { avgPoolGradConfig } from './kernels/AvgPoolGrad';
import { batchMatMulConfig } from './kernels/BatchMatMul';
import { castConfig } from './kernels/Cast';
import { categoricalCrossentropyConfig } from './kernels/CategoricalCrossentropy';
import { categoricalCrossentropyGradConfig } from './kernels/CategoricalCrossentropyGrad';
import { dropoutApplyConfig } from './kernels/DropoutApply';
import { dropoutMaskConfig } from './kernels/DropoutMask';
import { reluGradConfig } from './kernels/ReluGrad';
import { reluGradBiasConfig } from './kernels/ReluGradBias';
import { adamUpdateConfig } from './kernels/AdamUpdate';
import { batchNormTrainingConfig } from './kernels/BatchNormTraining';
import { batchNormTrainingGradConfig } from './kernels/BatchNormTrainingGrad';
import { conv2DConfig } from './kernels/Conv2D';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputReluConfig } from './kernels/Conv2DBackpropInputRelu';
import { conv2DFilterBiasGradConfig } from './kernels/Conv2DFilterBiasGrad';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput';
import { expConfig } from './kernels/Exp';
import { fusedBatchNormConfig } from './kernels/FusedBatchNorm';
import { convkitFusedConv2DConfig, fusedConv2DConfig } from './kernels/FusedConv2D';
import { geluConfig } from './kernels/Gelu';
import { geluGradConfig } from './kernels/GeluGrad';
import { logConfig } from './kernels/Log';
import { maxConfig } from './kernels/Max';
import { maxPoolConfig } from './kernels/MaxPool';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad';
import { maximumConfig } from './kernels/Maximum';
import { meanConfig } from './kernels/Mean';
import { minConfig } from './kernels/Min';
import { minimumConfig } from './kernels/Minimum';
import { mirrorPadConfig } from './kernels/MirrorPad';
import { multiplyConfig } from './kernels/Multiply';
import { negConfig } from './kernels/Neg';
import { realDivConfig } from './kernels/RealDiv';
import { reciprocalConfig } from './kernels/Reciprocal';
import { reluConfig } from './kernels/Relu';
import { reverseConfig } from './kernels/Reverse';
import { rsqrtConfig } from './kernels/Rsqrt';
import { sgdUpdateConfig } from './kernels/SgdUpdate';
import { sigmoidConfig } from './kernels/Sigmoid';
import { sliceConfig } from './kernels/Slice';
import { softmaxConfig } from './kernels/Softmax';
import { sqrtConfig } from './kernels/Sqrt';
import { squareConfig } from './kernels/Square';
import { squaredDifferenceConfig } from './kernels/SquaredDifference';
import { stepConfig } from './kernels/Step';
import { subConfig } from './kernels/Sub';
import { sumConfig } from './kernels/Sum';
import { tanhConfig } from './kernels/Tanh';
import { transposeConfig } from './kernels/Transpose';
import { fusedMatMulConfig } from './kernels/_FusedMatMul';

export const nativeKernelConfigs: KernelConfig[] = [
  absConfig,
  addConfig,
  avgPoolConfig,
  avgPoolGradConfig,
  batchMatMulConfig,
  castConfig,
  adamUpdateConfig,
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  conv2DConfig,
  dropoutMaskConfig,
  dropoutApplyConfig,
  reluGradConfig,
  reluGradBiasConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputReluConfig,
  conv2DFilterBiasGradConfig,
  conv2DBackpropInputConfig,
  expConfig,
  fusedBatchNormConfig,
  fusedConv2DConfig,
  convkitFusedConv2DConfig,
  geluConfig,
  geluGradConfig,
  categoricalCrossentropyConfig,
  categoricalCrossentropyGradConfig,
  logConfig,
  maxConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  maximumConfig,
  meanConfig,
  minConfig,
  minimumConfig,
  mirrorPadConfig,
  multiplyConfig,
  negConfig,
  realDivConfig,
  reciprocalConfig,
  reluConfig,
  reverseConfig,
  rsqrtConfig,
  sgdUpdateConfig,
  sigmoidConfig,
  sliceConfig,
  softmaxConfig,
  sqrtConfig,
  squareConfig,
  squaredDifferenceConfig,
  stepConfig,
  subConfig,
  sumConfig,
  tanhConfig,
  transposeConfig,
  fusedMatMulConfig,
];
