// Seeded weight initialisation. tfjs's initialisers ignore their `seed` argument, so two
// models built with the same seed would differ; convkit overwrites every weight from its
// own seeded generator instead, with Keras's defaults: Glorot-uniform kernels, zero biases.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { Random } from '../data/random';

/** Keeps initialisation's random numbers apart from the other convkit random streams. */
const INIT_STREAM = 101;

/** Keras's fan computation: a conv kernel [kh, kw, in, out] has fan_in = kh*kw*in. */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptiveField = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptiveField, fanOut: shape[shape.length - 1] * receptiveField };
}

/** What Keras starts a weight at, from the weight's name and shape. */
function initialValues(weightName: string, shape: number[], random: Random): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const role = weightName.slice(weightName.lastIndexOf('/') + 1);
  // BatchNormalization's scale and running variance start at one.
  if (role === 'gamma' || role === 'moving_variance') return values.fill(1);
  // Biases, shifts and running means start at zero; every matrix is a kernel.
  if (shape.length < 2) return values;
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < values.length; i++) values[i] = random.uniform(-limit, limit);
  return values;
}

/**
 * Sets every weight of `model` from `seed` alone: the same seed gives bit-identical
 * weights on every run and machine. Each weight has its own stream, keyed by its index.
 */
export function initializeWeights(model: tfl.LayersModel, seed: number): void {
  model.weights.forEach((weight, index) => {
    const values = initialValues(weight.originalName, weight.shape as number[], Random.fromSeeds(seed, INIT_STREAM, index));
    tf.tidy(() => { weight.write(tf.tensor(values, weight.shape as number[])); });
  });
}
