// What a filter looks for, as in the tutorial's visualize_hidden_layer_activation.py: start
// from a grey, slightly noisy image and climb the gradient of the filter's mean activation
// with a normalised step. Plain ascent gives high-frequency noise on small models, so each
// step also jitters the image, decays it toward grey and now and then blurs it.
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../index';
import { ConvkitError } from '../errors';
import { Image, Preprocess, inputRange, pixelTensor, scaleToUnit, tidyValues } from './images';
import { Layer, activationAfter, layerNamed, modelImageShape, preActivation } from './layers';
import { SeededRandom } from './random';

export interface ActivationMaximizationOptions {
  /** Which filters (channels or units) to show; by default the first `count`. */
  filters?: number[];
  count?: number;
  /** Gradient ascent steps (the tutorial's 40). */
  steps?: number;
  /** Step length as a fraction of the input range, applied to the RMS-normalised gradient. */
  stepSize?: number;
  /** Largest random shift in pixels before each step (0 turns jitter off); default 1 per 16 pixels of image side. */
  jitter?: number;
  /** Blur every this many steps (0 turns blur off). */
  blurEvery?: number;
  /** Fraction of the distance to grey taken back after each step. */
  decay?: number;
  seed?: number;
  preprocess?: Preprocess;
}

export interface FilterPattern {
  filter: number;
  /**
   * False when the filter never responded: its gradient stayed zero, or the ReLU after it
   * stayed at 0 everywhere even on the final image.
   */
  active: boolean;
  /** The filter's mean activation on the final image. */
  activation: number;
  /** The final image, contrast-stretched for display. */
  image: Image;
}

export interface ActivationMaximization {
  layerName: string;
  layerClass: string;
  /** How many filters the layer has in all. */
  filterCount: number;
  patterns: FilterPattern[];
}

const rectifiers = new Set(['relu', 'relu6']);

type Pooling = 'mean' | 'max';

/**
 * Per image and filter, the mean (or peak) over positions of `layer`'s output before its
 * activation function: the tutorial's models keep the ReLU in its own layer, so this is what
 * it climbs, and a fused ReLU that is off on the grey start cannot stall the ascent. For a
 * softmax output layer these are the class scores.
 */
function filterResponses(model: tfl.LayersModel, layer: Layer): (input: tf.Tensor, pooling?: Pooling) => tf.Tensor2D {
  const linear = preActivation(model, layer);
  return (input, pooling = 'mean') => {
    const output = linear(input);
    if (output.rank === 2) return output as tf.Tensor2D;
    const positions = output.shape.slice(1, -1).map((_, i) => i + 1);
    return (pooling === 'mean' ? tf.mean(output, positions) : tf.max(output, positions)) as tf.Tensor2D;
  };
}

/**
 * Shifts NHWC images by (dy, dx) pixels, wrapping around. Done on the array because tfjs's
 * slice is slow on small tensors, and it happens twice per step.
 */
function roll(values: Float32Array, shape: number[], dy: number, dx: number): Float32Array {
  const [count, height, width, channels] = shape;
  const rolled = new Float32Array(values.length);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < height; y++) {
      const targetY = (((y + dy) % height) + height) % height;
      for (let x = 0; x < width; x++) {
        const targetX = (((x + dx) % width) + width) % width;
        const from = ((n * height + y) * width + x) * channels;
        rolled.set(values.subarray(from, from + channels), ((n * height + targetY) * width + targetX) * channels);
      }
    }
  }
  return rolled;
}

/**
 * A light 3x3 Gaussian blur per channel, as one conv with a channel-diagonal kernel (the
 * fast path here). Blurs the difference from grey, so the zero padding fades edges to grey.
 */
function blurTowardGrey(images: tf.Tensor4D, grey: tf.Tensor): tf.Tensor4D {
  const channels = images.shape[3];
  const weights = [1, 2, 1, 2, 4, 2, 1, 2, 1].map((w) => w / 16);
  const kernel = tf.mul(tf.reshape(tf.tensor1d(weights), [3, 3, 1, 1]), tf.reshape(tf.eye(channels), [1, 1, channels, channels]));
  return tf.add(tf.conv2d(tf.sub(images, grey) as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same'), grey) as tf.Tensor4D;
}

/** Centre, scale to a fixed spread and clip, as the tutorial's deprocess_image does. */
function forDisplay(values: Float32Array, height: number, width: number, channels: number): Image {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length) || 1;
  const pixels = Uint8Array.from(values, (v) => Math.round(255 * Math.min(1, Math.max(0, 0.5 + 0.15 * (v - mean) / std))));
  return { pixels, height, width, channels };
}

function chooseFilters(filterCount: number, options: ActivationMaximizationOptions, layerName: string): number[] {
  if (options.filters) {
    for (const filter of options.filters) {
      if (!Number.isInteger(filter) || filter < 0 || filter >= filterCount) {
        throw new ConvkitError(`layer "${layerName}" has filters 0..${filterCount - 1}, not ${filter}`);
      }
    }
    return options.filters;
  }
  const count = Math.min(options.count ?? 16, filterCount);
  return Array.from({ length: count }, (_, i) => i);
}

/** Gradient ascent for several filters of one layer at once, one image per filter in a batch. */
export function activationMaximization(model: tfl.LayersModel, layerName: string,
  options: ActivationMaximizationOptions = {}): ActivationMaximization {
  const layer = layerNamed(model, layerName);
  const responses = filterResponses(model, layer);
  const { height, width, channels } = modelImageShape(model);
  const preprocess = options.preprocess ?? scaleToUnit;
  const steps = options.steps ?? 40;
  const stepSize = options.stepSize ?? 0.05;
  const jitter = options.jitter ?? Math.max(1, Math.round(Math.min(height, width) / 16));
  const blurEvery = options.blurEvery ?? 4;
  const decay = options.decay ?? 0.02;
  const seed = options.seed ?? 42;
  const jitterRandom = new SeededRandom(seed);

  const filterCount = tidyValues(() => responses(tf.zeros([1, height, width, channels])).shape[1]);
  const filters = chooseFilters(filterCount, options, layerName);
  const count = filters.length;
  const { low, high } = inputRange(preprocess, channels);
  const grey = tf.tidy(() => preprocess(tf.fill([1, 1, 1, channels], 128)));
  const step = tf.tidy(() => tf.mul(tf.sub(high, low), stepSize));
  const selection = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(filters, 'int32'), filterCount), 'float32'));
  const objective = (input: tf.Tensor) => tf.sum(tf.mul(responses(input), selection));

  const shape = [count, height, width, channels];
  // Each filter's start depends on the seed and the filter alone, not on which others are asked for.
  const imageSize = height * width * channels;
  const start = new Float32Array(count * imageSize);
  filters.forEach((filter, i) => {
    const random = new SeededRandom(seed * 7919 + filter);
    for (let j = 0; j < imageSize; j++) start[i * imageSize + j] = 128 + (random.next() - 0.5) * 40;
  });
  let values = tidyValues(() => preprocess(pixelTensor(start, count, height, width, channels)).dataSync() as Float32Array);
  const everClimbed = new Array<boolean>(count).fill(false);
  for (let i = 0; i < steps; i++) {
    const dy = jitterRandom.integer(-jitter, jitter);
    const dx = jitterRandom.integer(-jitter, jitter);
    const gradient = tidyValues(() =>
      roll(tf.grad(objective)(tf.tensor4d(roll(values, shape, dy, dx), [count, height, width, channels])).dataSync() as Float32Array,
        shape, -dy, -dx));
    const blurNow = blurEvery > 0 && (i + 1) % blurEvery === 0 && i + 1 < steps;
    values = tidyValues(() => {
      const images = tf.tensor4d(values, [count, height, width, channels]);
      const gradients = tf.tensor4d(gradient, [count, height, width, channels]);
      const rms = tf.sqrt(tf.mean(tf.square(gradients), [1, 2, 3], true));
      (rms.dataSync() as Float32Array).forEach((size, filter) => { if (size > 0) everClimbed[filter] = true; });
      let updated = tf.add(images, tf.mul(tf.div(gradients, tf.add(rms, 1e-12)), step)) as tf.Tensor4D;
      updated = tf.add(grey, tf.mul(tf.sub(updated, grey), 1 - decay));
      if (blurNow) updated = blurTowardGrey(updated, grey);
      return tf.minimum(tf.maximum(updated, low), high).dataSync() as Float32Array;
    });
  }

  const [finalResponses, peaks] = tidyValues(() => {
    const images = tf.tensor4d(values, [count, height, width, channels]);
    return ['mean', 'max'].map((pooling) =>
      tf.sum(tf.mul(responses(images, pooling as Pooling), selection), 1).dataSync() as Float32Array);
  });
  const rectified = rectifiers.has(activationAfter(model, layer) ?? 'linear');
  const patterns = filters.map((filter, i) => ({
    filter,
    active: everClimbed[i] && (!rectified || peaks[i] > 0),
    activation: finalResponses[i],
    image: forDisplay(values.subarray(i * imageSize, (i + 1) * imageSize), height, width, channels),
  }));
  tf.dispose([low, high, grey, step, selection]);
  return { layerName: layer.name, layerClass: layer.getClassName(), filterCount, patterns };
}
