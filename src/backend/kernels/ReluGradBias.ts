import { TensorInfo } from '@tensorflow/tfjs-core';

import { RELU_GRAD_BIAS } from '../custom_kernels';
import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// The gradient below a conv's fused bias + relu: dz and the bias gradient sum(dz) in one
// pass, where ReluGrad then Sum read the activation twice.
export const reluGradBiasConfig = nativeKernel<{ dy: TensorInfo; y: TensorInfo }, object>(RELU_GRAD_BIAS, ({ inputs, backend }) => {
  const { dy, y } = inputs;
  const channels = dy.shape[dy.shape.length - 1];
  const dyValues = floatsOf(backend, dy), yValues = floatsOf(backend, y);
  if (!dyValues || !yValues || dyValues.length !== yValues.length || !(channels >= 1)) return null;
  const dz = allocate(dyValues.length), dbias = allocate(channels);
  native().reluGradBias(dyValues, yValues, dz, dbias, channels);
  return [output(backend, dy.shape.slice(), dz), output(backend, [channels], dbias)];
});
