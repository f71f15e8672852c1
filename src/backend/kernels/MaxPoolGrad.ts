import { MaxPoolGrad, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { allocate, floatsOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { poolGeometry } from '../pool_kernel';
import { argmaxOf } from '../pooled';
import { isRectified, markReluGradientApplied } from '../rectified';

export const maxPoolGradConfig = nativeKernel<{ dy: TensorInfo; input: TensorInfo; output: TensorInfo }, MaxPoolGradAttrs>(
  MaxPoolGrad, ({ inputs, backend, attrs }) => {
    const { dy, input, output: pool } = inputs;
    const dyValues = floatsOf(backend, dy);
    if (!dyValues || input.dtype !== 'float32' || input.shape.length !== 4) return null;
    const { geometry, inShape } = poolGeometry(input.shape, attrs);
    // Where the conv below pooled its own output, the maxima it recorded (pooled.ts); only
    // without them is the pool's input read (a lazy conv output is then computed: lazy_output.ts).
    const argmax = pool ? argmaxOf(input, pool, geometry) : undefined;
    const poolValues = argmax ? floatsOf(backend, pool) : null;
    const xValues = argmax && poolValues ? null : floatsOf(backend, input);
    if (!poolValues && !xValues) return null;
    // Over a relu's output, windows whose maximum is 0 route nothing: relu's gradient, for
    // free; and the channel sums of dx come along, for the bias gradient of the conv below.
    const rectified = isRectified(input);
    const channelSums = rectified ? new Float32Array(inShape[3]) : null;
    const floor = rectified ? 0 : -Infinity;
    const dx = allocate(sizeOf(inShape));
    if (argmax && poolValues) {
      native().maxPoolGradArgmax(dyValues, poolValues, argmax, dx, geometry, floor, channelSums);
    } else {
      native().maxPoolGrad(dyValues, xValues!, dx, geometry, floor, channelSums);
    }
    const result = output(backend, inShape, dx);
    if (channelSums) markReluGradientApplied(result, input, channelSums);
    return result;
  });
