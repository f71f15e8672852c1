// Gradient maps: which input pixels the class score is most sensitive to. `saliency` is the
// plain input gradient; `smoothGrad` averages it over noisy copies of the image, which
// removes most of the speckle plain gradients show.
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../index';
import { ConvkitError } from '../errors';
import { Image, Preprocess, inputRange, modelInput, scaleToUnit, tidyValues } from './images';
import { assertClassIndex, assertImageFitsModel, classScores } from './layers';
import { SeededRandom } from './random';

export interface SaliencyOptions {
  /** The class whose score is differentiated; defaults to the model's prediction. */
  classIndex?: number;
  preprocess?: Preprocess;
}

export interface SmoothGradOptions extends SaliencyOptions {
  /** Noisy copies averaged (all in one batch). */
  samples?: number;
  /** Noise standard deviation as a fraction of the input range. */
  noiseLevel?: number;
  seed?: number;
}

export interface SaliencyMap {
  classIndex: number;
  height: number;
  width: number;
  /** Gradient summed over channels: positive where brightening raises the class score. */
  signed: Float32Array;
  /** Largest absolute gradient over channels. */
  magnitude: Float32Array;
}

/** Plain input gradient of the class score (Simonyan et al. 2013). */
export function saliency(model: tfl.LayersModel, image: Image, options: SaliencyOptions = {}): SaliencyMap {
  return smoothGrad(model, image, { ...options, samples: 1, noiseLevel: 0 });
}

/** Input gradient averaged over noisy copies of the image (Smilkov et al. 2017). */
export function smoothGrad(model: tfl.LayersModel, image: Image, options: SmoothGradOptions = {}): SaliencyMap {
  assertImageFitsModel(model, image);
  const preprocess = options.preprocess ?? scaleToUnit;
  const samples = options.samples ?? 32;
  const noiseLevel = options.noiseLevel ?? 0.2;
  if (!Number.isInteger(samples) || samples < 1) throw new ConvkitError(`SmoothGrad needs 1 or more samples, got ${samples}`);
  const { height, width, channels } = image;
  const scores = classScores(model);
  const random = new SeededRandom(options.seed ?? 7);
  const noise = Float32Array.from({ length: samples * height * width * channels }, () => random.gaussian());

  const { classIndex, gradient } = tidyValues(() => {
    const clean = modelInput(image, preprocess);
    const cleanScores = scores(clean);
    const chosen = options.classIndex ?? tf.argMax(cleanScores, 1).dataSync()[0];
    assertClassIndex(chosen, cleanScores.shape[1]);
    const { low, high } = inputRange(preprocess, channels);
    const sigma = tf.mul(tf.sub(high, low), noiseLevel);
    const noisy = tf.add(clean, tf.mul(tf.tensor4d(noise, [samples, height, width, channels]), sigma));
    const classScore = (input: tf.Tensor) => tf.sum(tf.slice(scores(input), [0, chosen], [-1, 1]));
    const mean = tf.mean(tf.grad(classScore)(noisy), 0);
    return { classIndex: chosen, gradient: mean.dataSync() as Float32Array };
  });

  const signed = new Float32Array(height * width);
  const magnitude = new Float32Array(height * width);
  for (let pixel = 0; pixel < height * width; pixel++) {
    for (let channel = 0; channel < channels; channel++) {
      const value = gradient[pixel * channels + channel];
      signed[pixel] += value;
      magnitude[pixel] = Math.max(magnitude[pixel], Math.abs(value));
    }
  }
  return { classIndex, height, width, signed, magnitude };
}
