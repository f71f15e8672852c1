// Test-time augmentation as airbench does it (arXiv 2404.00498, section 3.6): the model also
// sees each image mirrored (level 1), and mirrored and shifted by a pixel each way (level 2),
// and its outputs are averaged. The image transforms work on NHWC batches of model inputs.
// (Imports tfjs-core itself, not '../index': training/evaluate.ts uses this module, and the
// index imports training.)
import * as tf from '@tensorflow/tfjs-core';

import { readingOutputsOnly } from '../backend/rectified';
import { ConvkitError } from '../errors';

/** 0: the image alone; 1: and its mirror image; 2: and mirrored, translated copies. */
export const TTA_LEVELS = [0, 1, 2] as const;
export type TtaLevel = (typeof TTA_LEVELS)[number];

export const TTA_DESCRIPTIONS: Readonly<Record<TtaLevel, string>> = { 0: 'none', 1: 'mirror', 2: 'mirror and translate' };

/** The level, or a ConvkitError saying which levels there are. */
export function checkTtaLevel(level: unknown): TtaLevel {
  if (!TTA_LEVELS.includes(level as TtaLevel)) {
    throw new ConvkitError(`test-time augmentation level must be 0 (none), 1 (mirror) or 2 (mirror and translate), got ${String(level)}`);
  }
  return level as TtaLevel;
}

/** The images mirrored left-right. */
export function mirrorImages(images: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(images, 2);
}

/**
 * The images padded by `pad` pixels on each side by reflection (edge pixels not repeated),
 * then cut back to their size at (top, left) of the padded images: (pad, pad) is the image
 * itself, (0, 0) moves it `pad` pixels right and down.
 */
export function translateImages(images: tf.Tensor4D, pad: number, top: number, left: number): tf.Tensor4D {
  const [, height, width] = images.shape;
  if (!(Number.isInteger(pad) && pad >= 0 && pad < Math.min(height, width))) {
    throw new ConvkitError(`a reflection pad must be a whole number of pixels from 0 to ${Math.min(height, width) - 1}, got ${pad}`);
  }
  if (!(Number.isInteger(top) && Number.isInteger(left) && top >= 0 && left >= 0 && top <= 2 * pad && left <= 2 * pad)) {
    throw new ConvkitError(`the window of a translation by up to ${pad} pixels starts at 0 to ${2 * pad}, got (${top}, ${left})`);
  }
  return tf.tidy(() => {
    const padded = tf.mirrorPad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], 'reflect');
    return tf.slice(padded, [0, top, left, 0], [-1, height, width, -1]);
  });
}

/** A model's forward pass: class scores for a batch of model inputs. */
export type Classifier = (images: tf.Tensor4D) => tf.Tensor2D;

/** A model with one output as a Classifier (a structural type: this module does not import tfjs-layers). */
interface Predictor {
  predict(x: tf.Tensor, config?: { batchSize?: number }): tf.Tensor | tf.Tensor[];
}

/**
 * The model's forward pass over the whole batch at once: model.predict would cut it into
 * batches of 32, which leaves the native convolutions too little work per call. Only the
 * class scores are read, so conv layers may apply the relu layers after them themselves.
 */
export function classifierOf(model: Predictor): Classifier {
  return (images) => readingOutputsOnly(() => model.predict(images, { batchSize: Math.max(1, images.shape[0]) }) as tf.Tensor2D);
}

/** Level 1: the mean of the outputs on the images (given, `plain`) and on their mirror images. */
function mirrorAveraged(classify: Classifier, images: tf.Tensor4D, plain = classify(images)): tf.Tensor2D {
  return tf.mul(tf.add(plain, classify(mirrorImages(images))), 0.5);
}

/**
 * The model's outputs with test-time augmentation of `level` (see TTA_LEVELS); level 2 is
 * airbench's infer_mirror_translate: half the mirror average, half the mean of the mirror
 * averages of the images moved one pixel up-left and one pixel down-right (reflection
 * padded). airbench averages logits; convkit's models end in a softmax, so this averages
 * the probabilities, which stay probabilities (rows sum to 1) and score as usual.
 * `plain`, when the caller has them already, are the outputs on the images themselves (one
 * of the views), which are then not computed again.
 */
export function predictWithTta(classify: Classifier, images: tf.Tensor4D, level: number, plain?: tf.Tensor2D): tf.Tensor2D {
  const checked = checkTtaLevel(level);
  return tf.tidy(() => {
    // A copy of the caller's tensor, so that the result is always the caller's to dispose.
    const own = plain ? tf.clone(plain) : classify(images);
    if (checked === 0) return own;
    const mirrored = mirrorAveraged(classify, images, own);
    if (checked === 1) return mirrored;
    const shifted = [translateImages(images, 1, 0, 0), translateImages(images, 1, 2, 2)].map((view) => mirrorAveraged(classify, view));
    return tf.add(tf.mul(mirrored, 0.5), tf.mul(tf.add(shifted[0], shifted[1]), 0.25));
  });
}
