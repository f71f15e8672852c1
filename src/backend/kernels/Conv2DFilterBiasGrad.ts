import { backend_util, Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { CONV2D_FILTER_BIAS_GRAD } from '../custom_kernels';
import { allocate, floatsOf, geometryOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';

// A conv's filter and bias gradients (through its relu when y is given) from one pass over
// dy where the filter gradient reads the patches row by row (few input channels).
export const conv2DFilterBiasGradConfig = nativeKernel<{ x: TensorInfo; dy: TensorInfo; y?: TensorInfo }, Conv2DBackpropFilterAttrs>(
  CONV2D_FILTER_BIAS_GRAD, ({ inputs, backend, attrs }) => {
    const { x, dy, y } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    const xValues = floatsOf(backend, x), dyValues = floatsOf(backend, dy), yValues = y ? floatsOf(backend, y) : null;
    if (!xValues || !dyValues || (y && yValues?.length !== dyValues.length) || dataFormat !== 'NHWC') return null;
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides,
      1, pad, dimRoundingMode, false, 'channelsLast');
    const dfilter = allocate(sizeOf(info.filterShape)), dbias = allocate(info.outChannels);
    native().conv2dFilterBiasGrad(xValues, dyValues, yValues, dfilter, dbias, geometryOf(info));
    return [output(backend, info.filterShape, dfilter), output(backend, [info.outChannels], dbias)];
  });
