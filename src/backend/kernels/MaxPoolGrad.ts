import { MaxPoolGrad, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { allocate, floatsOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { poolGeometry } from '../pool_kernel';
import { isRectified, markReluGradientApplied } from '../rectified';

export const maxPoolGradConfig = nativeKernel<{ dy: TensorInfo; input: TensorInfo }, MaxPoolGradAttrs>(MaxPoolGrad,
  ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    const dyValues = floatsOf(backend, dy), xValues = floatsOf(backend, input);
    if (!dyValues || !xValues || input.shape.length !== 4) return null;
    const pool = poolGeometry(input.shape, attrs);
    const dx = allocate(sizeOf(pool.inShape));
    // Over a relu's output, windows whose maximum is 0 route nothing: relu's gradient, for
    // free; and the channel sums of dx come along, for the bias gradient of the conv below.
    const rectified = isRectified(input);
    const channelSums = rectified ? new Float32Array(pool.inShape[3]) : null;
    native().maxPoolGrad(dyValues, xValues, dx, pool.geometry, rectified ? 0 : -Infinity, channelSums);
    const result = output(backend, pool.inShape, dx);
    if (channelSums) markReluGradientApplied(result, input, channelSums);
    return result;
  });
