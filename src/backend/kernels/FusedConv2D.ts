import { backend_util, FusedConv2D, FusedConv2DAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { FUSED_CONV2D } from '../custom_kernels';
import { fusedActivation } from '../fused_activation';
import { allocate, allocatedCopy, floatsOf, geometryOf, KernelArgs, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { bufferPool } from '../buffer_pool';
import { lazyOutput } from '../lazy_output';
import { recordArray, releaseRecordArray, rememberMaxPool } from '../pooled';

type FusedConv2DArgs = KernelArgs<{ x: TensorInfo; filter: TensorInfo; bias?: TensorInfo },
  FusedConv2DAttrs & { poolAfter?: boolean; lazyOutput?: boolean }>;

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
  const geometry = geometryOf(info), size = sizeOf(info.outShape);
  const convolve = (filters: Float32Array, biases: Float32Array | null) => {
    const y = allocate(size);
    native().conv2d(xValues, filters, biases, y, geometry, act);
    return y;
  };
  // A 2x2 max pool follows: the kernel pools each output tile while it is in cache, where it can (pooled.ts).
  if (attrs.poolAfter && info.outHeight % 2 === 0 && info.outWidth % 2 === 0) {
    const pooled = allocate(size / 4), argmax = recordArray(pooled.length);
    // Read by nobody but the pool: written only if read (lazy_output.ts), from x kept alive
    // and copies of the weights (an optimizer may update those in place).
    const y = attrs.lazyOutput ? null : allocate(size);
    if (native().conv2d(xValues, filterValues, biasValues, y, geometry, act, pooled, argmax)) {
      let result: TensorInfo;
      if (y) {
        result = output(backend, info.outShape, y);
      } else {
        const filters = allocatedCopy(filterValues), biases = biasValues && allocatedCopy(biasValues);
        result = lazyOutput(backend, info.outShape, [x], biases ? [filters, biases] : [filters],
          () => convolve(filters, biases));
      }
      rememberMaxPool(result, pooled, argmax);
      return result;
    }
    // Its tiles do not hold whole windows: the arrays go back, unused (y was written, if given).
    bufferPool.give(pooled);
    releaseRecordArray(argmax);
    if (y) return output(backend, info.outShape, y);
  }
  return output(backend, info.outShape, convolve(filterValues, biasValues));
}

export const fusedConv2DConfig = nativeKernel(FusedConv2D, fusedConv2D);
/** The same kernel under convkit's name, whose gradient is registered per input (custom_kernels.ts). */
export const convkitFusedConv2DConfig = nativeKernel(FUSED_CONV2D, fusedConv2D);
