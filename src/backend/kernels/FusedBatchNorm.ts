import { FusedBatchNorm, FusedBatchNormAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// Per-channel normalisation with statistics given as [C] vectors (BatchNormalization in
// inference, and in training once tfjs has computed the batch moments).
export const fusedBatchNormConfig = nativeKernel<{ x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo }, FusedBatchNormAttrs>(FusedBatchNorm,
  ({ inputs, backend, attrs }) => {
    const { x, mean, variance, offset, scale } = inputs;
    const channels = x.shape[x.shape.length - 1];
    const perChannel = (t: typeof x | undefined) =>
      t === undefined ? undefined : t.shape.length === 1 && t.shape[0] === channels ? floatsOf(backend, t) : null;
    const xValues = floatsOf(backend, x);
    const [m, v, o, s] = [mean, variance, offset, scale].map(perChannel);
    if (!xValues || !m || !v || o === null || s === null) return null;
    const y = allocate(xValues.length);
    native().batchNorm(xValues, m, v, o ?? null, s ?? null, y, channels, attrs.varianceEpsilon);
    return output(backend, x.shape.slice(), y);
  });
