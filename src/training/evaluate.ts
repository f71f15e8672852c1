// Loss and accuracy of a model over a whole image set, in inference mode (no dropout),
// optionally with test-time augmentation.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { BatchStream } from '../data/batches';
import type { Normalization } from '../data/preprocess';
import type { ImageSet } from '../data/types';
import { checkTtaLevel, classifierOf, predictWithTta } from '../insight/tta';

export interface Evaluation {
  /** Mean categorical cross-entropy, computed as in training. */
  loss: number;
  accuracy: number;
}

export interface EvaluateOptions {
  /** Test-time augmentation: 0 none (default), 1 mirror, 2 mirror and translate (see insight/tta.ts). */
  tta?: number;
}

/**
 * Runs `model` over `set` in batches; the loss is the one training minimises (without
 * label smoothing), of the averaged probabilities when test-time augmentation is on.
 */
export async function evaluate(model: tfl.LayersModel, set: ImageSet, normalization: Normalization, batchSize = 250,
  options: EvaluateOptions = {}): Promise<Evaluation> {
  const tta = checkTtaLevel(options.tta ?? 0);
  const classes = model.outputs[0].shape[1] as number;
  const stream = new BatchStream(set, { batchSize, shuffle: false, seed: 0, normalize: normalization });
  let lossSum = 0;
  let correct = 0;
  for (const batch of stream.epoch(0)) {
    const [losses, hits] = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.count, set.height, set.width, set.channels]);
      const labels = tf.tensor1d(batch.labels, 'int32');
      const probabilities = predictWithTta(classifierOf(model), x, tta);
      const loss = tfl.metrics.categoricalCrossentropy(tf.cast(tf.oneHot(labels, classes), 'float32'), probabilities);
      return [tf.sum(loss), tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, 1), labels), 'int32'))];
    });
    lossSum += (await losses.data())[0];
    correct += (await hits.data())[0];
    tf.dispose([losses, hits]);
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}
