import * as tf from '@tensorflow/tfjs-core';

import { CATEGORICAL_CROSSENTROPY } from '../backend/custom_kernels';

/**
 * Keras's categorical cross-entropy of probabilities, one loss per row (over the last
 * axis), as tfjs-layers' categoricalCrossentropy computes it: each row rescaled to sum 1,
 * clipped to [1e-7, 1 - 1e-7], then -Σ labels · log. One kernel
 * (ConvkitCategoricalCrossentropy) and one for its gradient by the probabilities, where
 * tfjs runs nine and about twenty-five; sums in double, so values may differ from tfjs's in
 * the last bits.
 */
export function categoricalCrossentropy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(labels.shape, probabilities.shape)) {
    throw new Error(`categoricalCrossentropy: labels ${labels.shape} and probabilities ${probabilities.shape} differ in shape`);
  }
  if (probabilities.dtype !== 'float32') throw new Error(`categoricalCrossentropy: probabilities must be float32, got ${probabilities.dtype}`);
  return tf.tidy(() => tf.engine().runKernel(CATEGORICAL_CROSSENTROPY,
    { labels: labels.dtype === 'float32' ? labels : tf.cast(labels, 'float32'), probabilities }) as tf.Tensor);
}
