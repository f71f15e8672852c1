import { backend_util, Conv2DBackpropInput, Conv2DBackpropInputAttrs, TensorInfo }
  from '@tensorflow/tfjs-core';

import { Backend, allocate, floatsOf, geometryOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';

/** The float32 values of dy and filter and the conv's geometry, or null where the native kernel cannot run. */
export function inputGradientArguments(backend: Backend, dy: TensorInfo, filter: TensorInfo, attrs: Conv2DBackpropInputAttrs) {
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  const dyValues = floatsOf(backend, dy), filterValues = floatsOf(backend, filter);
  if (!dyValues || !filterValues || dataFormat !== 'NHWC') return null;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number],
    strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  return { dyValues, filterValues, info };
}

export const conv2DBackpropInputConfig = nativeKernel<{ dy: TensorInfo; filter: TensorInfo }, Conv2DBackpropInputAttrs>(
  Conv2DBackpropInput, ({ inputs, backend, attrs }) => {
    const args = inputGradientArguments(backend, inputs.dy, inputs.filter, attrs);
    if (!args) return null;
    const dx = allocate(sizeOf(args.info.inShape));
    native().conv2dBackpropInput(args.dyValues, args.filterValues, dx, geometryOf(args.info));
    return output(backend, args.info.inShape, dx);
  });
