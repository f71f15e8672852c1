import { backend_util, FusedConv2D, FusedConv2DAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { fusedActivation } from '../fused_activation';
import { allocate, floatsOf, geometryOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';

// Convolution with the bias add and a linear or relu activation done in the GEMM's epilogue.
export const fusedConv2DConfig = nativeKernel<{ x: TensorInfo; filter: TensorInfo; bias?: TensorInfo }, FusedConv2DAttrs>(FusedConv2D,
  ({ inputs, backend, attrs }) => {
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
    const y = allocate(sizeOf(info.outShape));
    native().conv2d(xValues, filterValues, biasValues, y, geometryOf(info), act);
    return output(backend, info.outShape, y);
  });
