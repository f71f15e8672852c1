import { backend_util, Conv2D, Conv2DAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { Activation } from '../addon';
import { allocate, floatsOf, geometryOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';

export const conv2DConfig = nativeKernel<{ x: TensorInfo; filter: TensorInfo }, Conv2DAttrs>(Conv2D, ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const xValues = floatsOf(backend, x), filterValues = floatsOf(backend, filter);
  if (!xValues || !filterValues || dataFormat !== 'NHWC') return null;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
  const y = allocate(sizeOf(info.outShape));
  native().conv2d(xValues, filterValues, null, y, geometryOf(info), Activation.Linear);
  return output(backend, info.outShape, y);
});
