import { backend_util, Conv2DBackpropFilter, Conv2DBackpropFilterAttrs, TensorInfo }
  from '@tensorflow/tfjs-core';

import { allocate, floatsOf, geometryOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';

export const conv2DBackpropFilterConfig = nativeKernel<{ x: TensorInfo; dy: TensorInfo }, Conv2DBackpropFilterAttrs>(
  Conv2DBackpropFilter, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    const xValues = floatsOf(backend, x), dyValues = floatsOf(backend, dy);
    if (!xValues || !dyValues || dataFormat !== 'NHWC') return null;
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides,
      1, pad, dimRoundingMode, false, 'channelsLast');
    const dfilter = allocate(sizeOf(info.filterShape));
    native().conv2dBackpropFilter(xValues, dyValues, dfilter, geometryOf(info));
    return output(backend, info.filterShape, dfilter);
  });
