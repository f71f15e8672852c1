// Tiny models with hand-set weights and images built pixel by pixel, so each test knows
// exactly what the right answer is.
import * as tfl from '@tensorflow/tfjs-layers';
import type { ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';

import { models, tf } from '../../src';
import type { Image } from '../../src/insight';

/** Builds a conv layer: convkit's by default, as its models use; tfl.layers.conv2d for tfjs's own. */
export type ConvFactory = (args: ConvLayerArgs) => tfl.layers.Layer;

/** Writes plain numbers into a layer's weights (kernel, then bias). */
export function setWeights(layer: tfl.layers.Layer, ...values: Array<ArrayLike<number>>): void {
  layer.setWeights(layer.weights.map((weight, i) => tf.tensor(Array.from(values[i]), weight.shape as number[])));
}

export const SQUARE_IMAGE_SIZE = 16;

/**
 * Says "bright square" (class 1) or "no square" (class 0): a 3x3 mean filter minus 0.6 behind
 * a ReLU fires only where a 3x3 window is bright, the strongest window decides.
 */
export function brightSquareModel(size = SQUARE_IMAGE_SIZE, conv: ConvFactory = models.conv2d): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(conv({ name: 'detector', inputShape: [size, size, 3], filters: 1, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.globalMaxPooling2d({ name: 'strongest' }));
  model.add(tfl.layers.dense({ name: 'classes', units: 2, activation: 'softmax' }));
  setWeights(model.getLayer('detector'), new Array(27).fill(1 / 27), [-0.6]);
  setWeights(model.getLayer('classes'), [-8, 8], [2, -2]);
  return model;
}

/** A dark grey image with a white square of side `side` at (top, left). */
export function imageWithSquare(top: number, left: number, side = 4, size = SQUARE_IMAGE_SIZE): Image {
  const pixels = new Uint8Array(size * size * 3).fill(20);
  for (let y = top; y < top + side; y++) {
    for (let x = left; x < left + side; x++) pixels.fill(255, (y * size + x) * 3, (y * size + x + 1) * 3);
  }
  return { pixels, height: size, width: size, channels: 3 };
}

/** Index of the largest value. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Pearson correlation of two equally long sequences. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Deterministic numbers in [-1, 1) from a seed (a linear congruential generator is plenty here). */
export function seededValues(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** A small CNN of the tutorial's shape (conv, ReLU as its own layer, pool, dense, softmax) with seeded weights. */
export function tinyClassifier(classes = 3, size = 16, conv: ConvFactory = models.conv2d): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(conv({ name: 'conv_a', inputShape: [size, size, 3], filters: 4, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ name: 'pool', poolSize: 2 }));
  model.add(conv({ name: 'conv_b', filters: 4, kernelSize: 3 }));
  model.add(tfl.layers.activation({ name: 'relu_b', activation: 'relu' }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'hidden', units: 8, activation: 'relu' }));
  model.add(tfl.layers.dense({ name: 'scores', units: classes }));
  model.add(tfl.layers.activation({ name: 'softmax', activation: 'softmax' }));
  model.layers.forEach((layer, i) => {
    const sizes = layer.weights.map((weight) => (weight.shape as number[]).reduce((a, b) => a * b, 1));
    if (sizes.length > 0) setWeights(layer, ...sizes.map((size, j) => seededValues(size, 10 * i + j).map((v) => v * 0.5)));
  });
  return model;
}

/** `count` images of random bytes and labels, seeded. */
export function randomImageSet(count: number, classes = 3, size = 16) {
  const values = seededValues(count * size * size * 3, 99);
  return {
    images: Uint8Array.from(values, (v) => Math.floor((v + 1) * 127.99)),
    labels: Int32Array.from({ length: count }, (_, i) => i % classes),
    count, height: size, width: size, channels: 3,
  };
}
