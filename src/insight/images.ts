// One image as bytes, the unit most insight functions work on, and the conversions
// between byte images and the float tensors a model takes.
import { tf } from '../index';
import type { ImageSet } from '../data/types';
import { ConvkitError } from '../errors';

/** One image, row-major HWC bytes 0..255 (the layout of one ImageSet entry). */
export interface Image {
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * Turns 0..255 pixels (float, NHWC) into what the model was trained on. Defaults to
 * `scaleToUnit`; a run's metadata says which one its model expects.
 */
export type Preprocess = (pixels: tf.Tensor4D) => tf.Tensor4D;

/** The usual Keras input scaling: pixel / 255. */
export const scaleToUnit: Preprocess = (pixels) => tf.div(pixels, 255);

/** Per-channel statistics in 0..1 units, as a run's metadata records them. */
export interface ChannelNormalization {
  mean: number[];
  std: number[];
}

/** Byte p of channel c becomes (p / 255 - mean[c]) / std[c]; no statistics means plain scaling. */
export function preprocessFor(normalization?: ChannelNormalization): Preprocess {
  if (!normalization) return scaleToUnit;
  const { mean, std } = normalization;
  if (mean.length !== std.length || std.some((s) => !(s > 0))) {
    throw new ConvkitError(`the normalization needs one mean and one positive std per channel, got ${JSON.stringify(normalization)}`);
  }
  return (pixels) => tf.tidy(() => {
    const channels = pixels.shape[3];
    if (channels !== mean.length) throw new ConvkitError(`the normalization is for ${mean.length} channels, the images have ${channels}`);
    const shift = tf.tensor1d(mean);
    const scale = tf.tensor1d(std);
    return tf.div(tf.sub(tf.div(pixels, 255), shift), scale) as tf.Tensor4D;
  });
}

/** The image at `index` of an ImageSet, sharing its bytes (no copy). */
export function imageAt(set: ImageSet, index: number): Image {
  if (!Number.isInteger(index) || index < 0 || index >= set.count) {
    throw new ConvkitError(`image ${index} does not exist: the set holds ${set.count} images (0..${set.count - 1})`);
  }
  const size = set.height * set.width * set.channels;
  return {
    pixels: set.images.subarray(index * size, (index + 1) * size),
    height: set.height, width: set.width, channels: set.channels,
  };
}

/** A batch of byte images (concatenated HWC) as a float tensor of 0..255 values. */
export function pixelTensor(pixels: Uint8Array | Float32Array, count: number, height: number, width: number,
  channels: number): tf.Tensor4D {
  const values = pixels instanceof Float32Array ? pixels : Float32Array.from(pixels);
  return tf.tensor4d(values, [count, height, width, channels]);
}

/** The model input for one image: preprocessed, with a batch dimension of 1. */
export function modelInput(image: Image, preprocess: Preprocess): tf.Tensor4D {
  return tf.tidy(() => preprocess(pixelTensor(image.pixels, 1, image.height, image.width, image.channels)));
}

/** The model input range per channel: what 0 and 255 become, so steps can be sized to it. */
export function inputRange(preprocess: Preprocess, channels: number): { low: tf.Tensor4D; high: tf.Tensor4D } {
  return tf.tidy(() => {
    const black = preprocess(tf.zeros([1, 1, 1, channels]));
    const white = preprocess(tf.fill([1, 1, 1, channels], 255));
    return { low: tf.minimum(black, white), high: tf.maximum(black, white) };
  });
}

/**
 * Runs `compute` in a tidy scope and returns its plain (tensor-free) result; every tensor it
 * made is disposed. tf.tidy's own typing only admits tensor results.
 */
export function tidyValues<T>(compute: () => T): T {
  let result: T | undefined;
  tf.tidy(() => { result = compute(); });
  return result as T;
}
