import { backend_util, Conv2DBackpropInput, Conv2DBackpropInputAttrs, TensorInfo }
  from '@tensorflow/tfjs-core';

import { allocate, floatsOf, geometryOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';

export const conv2DBackpropInputConfig = nativeKernel<{ dy: TensorInfo; filter: TensorInfo }, Conv2DBackpropInputAttrs>(
  Conv2DBackpropInput, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
    const dyValues = floatsOf(backend, dy), filterValues = floatsOf(backend, filter);
    if (!dyValues || !filterValues || dataFormat !== 'NHWC') return null;
    const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number],
      strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const dx = allocate(sizeOf(info.inShape));
    native().conv2dBackpropInput(dyValues, filterValues, dx, geometryOf(info));
    return output(backend, info.inShape, dx);
  });
