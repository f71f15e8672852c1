import { backend_util, FusedConv2D, FusedConv2DAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { FUSED_CONV2D } from '../custom_kernels';
import { fusedActivation } from '../fused_activation';
import { allocate, floatsOf, geometryOf, KernelArgs, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { bufferPool } from '../buffer_pool';
import { recordArray, releaseRecordArray, rememberMaxPool } from '../pooled';

type FusedConv2DArgs = KernelArgs<{ x: TensorInfo; filter: TensorInfo; bias?: TensorInfo },
  FusedConv2DAttrs & { poolAfter?: boolean }>;

// Convolution with the bias add and a linear or relu activation done in the GEMM's epilogue.
function fusedConv2D({ inputs, backend, attrs }: FusedConv2DArgs): TensorInfo | null {
  const { x, filter, bias } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = attrs;
  const xValues = floatsOf(backend, x), filterValues = floatsOf(backend, filter);
  const act = fusedActivation(activation);
  if (!xValues || !filterValues || act === null || dataFormat !== 'NHWC') return null;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, false,
    'channelsLast');
  const biasValues = bias ? floatsOf(backend, bias) : null;
  if (bias && (!biasValues || biasValues.length !== info.outChannels)) return null;
  const y = allocate(sizeOf(info.outShape)), geometry = geometryOf(info);
  // A 2x2 max pool follows: the kernel pools each output tile while it is in cache, where it can (pooled.ts).
  if (attrs.poolAfter && info.outHeight % 2 === 0 && info.outWidth % 2 === 0) {
    const pooled = allocate(sizeOf(info.outShape) / 4), argmax = recordArray(pooled.length);
    const result = output(backend, info.outShape, y);
    if (native().conv2d(xValues, filterValues, biasValues, y, geometry, act, pooled, argmax)) {
      rememberMaxPool(result, pooled, argmax);
    } else {  // its tiles do not hold whole windows: the arrays go back, unused
      bufferPool.give(pooled);
      releaseRecordArray(argmax);
    }
    return result;
  }
  native().conv2d(xValues, filterValues, biasValues, y, geometry, act);
  return output(backend, info.outShape, y);
}

export const fusedConv2DConfig = nativeKernel(FusedConv2D, fusedConv2D);
/** The same kernel under convkit's name, whose gradient is registered per input (custom_kernels.ts). */
export const convkitFusedConv2DConfig = nativeKernel(FUSED_CONV2D, fusedConv2D);
