// Loss and accuracy of a model over a whole image set, in inference mode (no dropout),
// optionally with test-time augmentation.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { BatchStream } from '../data/batches';
import type { Normalization } from '../data/preprocess';
import type { ImageSet } from '../data/types';
import { ConvkitError } from '../errors';
import { Classifier, checkTtaLevel, classifierOf, predictWithTta } from '../insight/tta';

export interface Evaluation {
  /** Mean categorical cross-entropy, computed as in training. */
  loss: number;
  accuracy: number;
}

export interface EvaluateOptions {
  /** Test-time augmentation: 0 none (default), 1 mirror, 2 mirror and translate (see insight/tta.ts). */
  tta?: number;
}

/** Plain and test-time-augmented scores of one validation pass (see evaluateWithTta). */
export interface TtaEvaluation {
  plain: Evaluation;
  tta: Evaluation;
  /** Seconds spent on the views other than the images themselves: what TTA added to the pass. */
  ttaSeconds: number;
}

/** Images per batch when the caller does not say. */
export const DEFAULT_EVALUATION_BATCH = 250;

/**
 * Runs `model` over `set` in batches; the loss is the one training minimises (without
 * label smoothing), of the averaged probabilities when test-time augmentation is on.
 */
export async function evaluate(model: tfl.LayersModel, set: ImageSet, normalization: Normalization, batchSize = DEFAULT_EVALUATION_BATCH,
  options: EvaluateOptions = {}): Promise<Evaluation> {
  const tta = checkTtaLevel(options.tta ?? 0);
  const [scores] = await score(model, set, normalization, batchSize, 1,
    (classify, x) => [predictWithTta(classify, x, tta)]);
  return scores;
}

/**
 * `evaluate` without and with test-time augmentation of `level` (1 or 2) in one pass: the
 * plain scores come from the augmentation's own view of the images themselves (as a
 * training run's last validation needs both).
 */
export async function evaluateWithTta(model: tfl.LayersModel, set: ImageSet, normalization: Normalization, level: number,
  batchSize = DEFAULT_EVALUATION_BATCH): Promise<TtaEvaluation> {
  const checked = checkTtaLevel(level);
  if (checked === 0) throw new ConvkitError('evaluateWithTta needs a test-time augmentation level of 1 or 2');
  let ttaSeconds = 0;
  const [plain, tta] = await score(model, set, normalization, batchSize, 2, (classify, x) => {
    const own = classify(x);
    const started = performance.now();
    const augmented = predictWithTta(classify, x, checked, own);
    ttaSeconds += (performance.now() - started) / 1000;
    return [own, augmented];
  });
  return { plain, tta, ttaSeconds };
}

/**
 * The loss and accuracy of each of the `outputs` sets of class probabilities `predict` gives
 * per batch of images.
 */
async function score(model: tfl.LayersModel, set: ImageSet, normalization: Normalization, batchSize: number, outputs: number,
  predict: (classify: Classifier, x: tf.Tensor4D) => tf.Tensor2D[]): Promise<Evaluation[]> {
  const classes = model.outputs[0].shape[1] as number;
  const classify = classifierOf(model);
  const stream = new BatchStream(set, { batchSize, shuffle: false, seed: 0, normalize: normalization });
  const sums = Array.from({ length: outputs }, () => ({ loss: 0, correct: 0 }));
  for (const batch of stream.epoch(0)) {
    const totals = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.count, set.height, set.width, set.channels]);
      const labels = tf.tensor1d(batch.labels, 'int32');
      const oneHot = tf.cast(tf.oneHot(labels, classes), 'float32');
      return predict(classify, x).map((probabilities) => [
        tf.sum(tfl.metrics.categoricalCrossentropy(oneHot, probabilities)),
        tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, 1), labels), 'int32')),
      ]);
    });
    const values = await Promise.all(totals.flat().map(async (t) => (await t.data())[0]));
    tf.dispose(totals.flat());
    sums.forEach((sum, i) => {
      sum.loss += values[2 * i];
      sum.correct += values[2 * i + 1];
    });
  }
  return sums.map(({ loss, correct }) => ({ loss: loss / set.count, accuracy: correct / set.count }));
}
