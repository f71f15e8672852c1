// Losses beyond tfjs's named ones, as functions model.compile({ loss }) takes.
import * as tf from '@tensorflow/tfjs-core';

import { ConvkitError } from '../errors';
import * as ops from '../ops';

/** What model.compile accepts as a loss: one value per example from labels and predictions. */
export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

export interface CrossentropyOptions {
  /**
   * Moves this fraction of each one-hot label evenly onto all K classes:
   * yTrue * (1 - labelSmoothing) + labelSmoothing / K (Keras's label_smoothing). Default 0.
   */
  labelSmoothing?: number;
}

/**
 * Categorical cross-entropy of probabilities (convkit's models end in a softmax), as
 * Keras's categorical_crossentropy(label_smoothing=...): the labels are smoothed, then it
 * is the cross-entropy tfjs's 'categoricalCrossentropy' computes (rows rescaled to sum 1,
 * clipped to [1e-7, 1 - 1e-7]), in one kernel and its gradient in one more
 * (ops.categoricalCrossentropy; tfjs's takes about 35). Through the softmax, its gradient
 * by the logits is softmax(z) - smoothed labels.
 */
export function categoricalCrossentropy(options: CrossentropyOptions = {}): LossFunction {
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new ConvkitError(`label smoothing must be between 0 and 1, got ${smoothing}`);
  const loss: LossFunction = (yTrue, yPred) => tf.tidy(() => {
    if (smoothing === 0) return ops.categoricalCrossentropy(yTrue, yPred);
    const classes = yTrue.shape[yTrue.shape.length - 1] as number;
    const smoothed = tf.add(tf.mul(tf.cast(yTrue, 'float32'), 1 - smoothing), smoothing / classes);
    return ops.categoricalCrossentropy(smoothed, yPred);
  });
  return loss;
}
