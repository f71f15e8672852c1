import * as tf from '@tensorflow/tfjs-core';

import { DROPOUT_APPLY, DROPOUT_MASK } from '../backend/custom_kernels';

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
}

/**
 * Dropout's keep-mask: each element is 1/(1-rate) with probability 1-rate, else 0. The
 * mask is a pure function of (shape, rate, seed): the same seed gives the same mask on
 * every backend and thread count, which makes seeded training runs repeatable.
 */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  checkRate(rate);
  return tf.engine().runKernel(DROPOUT_MASK, {}, { shape, rate, seed: seed >>> 0 } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * x times dropoutMask(x.shape, rate, seed), the same bits, in one kernel that never stores
 * the mask (ConvkitDropoutApply); the gradient flows through the same mask.
 */
export function dropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  checkRate(rate);
  if (rate === 0) return x.clone();
  if (x.dtype !== 'float32') throw new Error(`dropout: x must be float32, got ${x.dtype}`);
  return tf.engine().runKernel(DROPOUT_APPLY, { x }, { rate, seed: seed >>> 0 } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
