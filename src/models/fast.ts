// The network of the fast CIFAR-10 recipe (Keller Jordan's "airbench94", arXiv 2404.00498):
// a frozen 2x2 patch-whitening convolution, three blocks of conv-pool-BatchNorm-GELU and
// conv-BatchNorm-GELU, a global max pool and one linear layer whose outputs are scaled by
// 1/9. Layers are plain tfjs-layers layers plus convkit's Conv2D and fused
// BatchNormalization (same Keras classes), so the model saves, loads and summarises like
// any other.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { Random } from '../data/random';
import { batchNormalization } from './batch_norm';
import { Conv2D, conv2d } from './conv2d';
import { fans, initializeWeights } from './initialize';

/** Filters of the three blocks; airbench94 uses 64, 256, 256. */
export type FastWidths = [number, number, number];

export interface FastModelOptions {
  inputShape?: [number, number, number];
  classes?: number;
  widths?: FastWidths;
  /** When given, every weight is initialised from this seed (the whitening layer later, from data). */
  seed?: number;
}

export const FAST_WIDTHS: Readonly<FastWidths> = [64, 256, 256];
/**
 * `--model fast-small`: the same network with a sixth of the multiplies (119 against 708
 * MFLOP per training image), for a run of a few minutes; measured 80.4% after 3 epochs.
 */
export const FAST_SMALL_WIDTHS: Readonly<FastWidths> = [32, 64, 128];
/** Side of the whitening patches: 2x2 pixels, 2 * 2 * 2 * channels filters (each eigenvector and its negation). */
export const WHITENING_KERNEL = 2;
export const WHITENING_LAYER = 'whiten';
/** The whitening layer's bias trains for this many epochs, then stays (the recipe's whiten_bias_epochs). */
export const WHITENING_BIAS_EPOCHS = 3;
/** Training images whose patches set the whitening filters. */
export const WHITENING_SAMPLE = 5000;
/** The recipe's BatchNorm: a short moving average (Keras momentum 0.6), a tiny epsilon, no scale (gamma). */
const NORM_MOMENTUM = 0.6;
const NORM_EPSILON = 1e-12;
const OUTPUT_SCALE = 1 / 9;

/** Keeps this initialisation's random numbers apart from the other convkit random streams. */
const FAST_INIT_STREAM = 103;

function addBlock(model: tfl.Sequential, index: number, filters: number): void {
  const name = (kind: string) => `block${index}_${kind}`;
  const conv = (suffix: string) => conv2d({ name: name(suffix), filters, kernelSize: 3, padding: 'same', useBias: false });
  const norm = (suffix: string) => batchNormalization({ name: name(suffix), momentum: NORM_MOMENTUM, epsilon: NORM_EPSILON, scale: false });
  const gelu = (suffix: string) => tfl.layers.activation({ name: name(suffix), activation: 'gelu' });
  model.add(conv('conv1'));
  model.add(tfl.layers.maxPooling2d({ name: name('pool'), poolSize: 2 }));
  model.add(norm('norm1'));
  model.add(gelu('gelu1'));
  model.add(conv('conv2'));
  model.add(norm('norm2'));
  model.add(gelu('gelu2'));
}

/** PyTorch's default start for conv and linear kernels: uniform in +-1/sqrt(fan_in). */
function fanInUniform(shape: number[], random: Random): Float32Array {
  const limit = 1 / Math.sqrt(fans(shape).fanIn);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform(-limit, limit));
}

/**
 * A block convolution's start: fanInUniform with the first `in` filters set to the
 * identity ("dirac"), so each block starts close to passing its input through, which the
 * recipe found trains faster.
 */
function diracUniform(shape: number[], random: Random): Float32Array {
  const [kh, kw, inChannels, outChannels] = shape;
  const values = fanInUniform(shape, random);
  const centre = (Math.floor(kh / 2) * kw + Math.floor(kw / 2)) * inChannels;
  for (let o = 0; o < Math.min(inChannels, outChannels); o++) {
    for (let tap = 0; tap < kh * kw; tap++) {
      for (let c = 0; c < inChannels; c++) values[(tap * inChannels + c) * outChannels + o] = 0;
    }
    values[(centre + o) * outChannels + o] = 1;
  }
  return values;
}

function initializeFast(model: tfl.Sequential, seed: number): void {
  initializeWeights(model, seed);
  model.weights.forEach((weight, index) => {
    const shape = weight.shape as number[];
    const random = Random.fromSeeds(seed, FAST_INIT_STREAM, index);
    if (/^block\d_conv\d\/kernel/.test(weight.originalName)) {
      tf.tidy(() => { weight.write(tf.tensor(diracUniform(shape, random), shape)); });
    } else if (/^logits\/kernel/.test(weight.originalName)) {
      tf.tidy(() => { weight.write(tf.tensor(fanInUniform(shape, random), shape)); });
    }
  });
}

/**
 * The whitening filters are computed from the data, not learned; only their bias trains.
 * A weight's trainability is not part of a saved model, so a loaded one needs this again.
 */
export function freezeWhiteningKernel(model: tfl.LayersModel): void {
  const whitening = model.layers.find((layer) => layer.name === WHITENING_LAYER);
  if (whitening instanceof Conv2D) whitening.freezeKernel();
}

/** airbench94's network; call initializeWhitening on its first layer with training images before training. */
export function fastModel(options: FastModelOptions = {}): tfl.Sequential {
  const [height, width, channels] = options.inputShape ?? [32, 32, 3];
  const widths = options.widths ?? FAST_WIDTHS;
  const model = tfl.sequential({ name: 'fast_model' });
  model.add(conv2d({
    name: WHITENING_LAYER, inputShape: [height, width, channels], filters: 2 * WHITENING_KERNEL ** 2 * channels,
    kernelSize: WHITENING_KERNEL, padding: 'valid', useBias: true,
  }));
  model.add(tfl.layers.activation({ name: `${WHITENING_LAYER}_gelu`, activation: 'gelu' }));
  widths.forEach((filters, i) => addBlock(model, i + 1, filters));
  // After three 2x2 pools a 31x31 map is 3x3; the last pool takes its maximum.
  const [, mapHeight, mapWidth] = model.outputs[0].shape as number[];
  model.add(tfl.layers.maxPooling2d({ name: 'global_pool', poolSize: [mapHeight, mapWidth] }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'logits', units: options.classes ?? 10, useBias: false }));
  model.add(tfl.layers.rescaling({ name: 'logit_scale', scale: OUTPUT_SCALE, offset: 0 }));
  model.add(tfl.layers.activation({ name: 'softmax', activation: 'softmax' }));
  freezeWhiteningKernel(model);
  if (options.seed !== undefined) initializeFast(model, options.seed);
  return model;
}
