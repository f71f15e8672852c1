// The tutorial's two CIFAR-10 models ("Convolution neural networks made easy with Keras"),
// as plain builder functions on tfjs-layers. Layers are named as Keras 2.0 names them
// (conv2d_1, activation_1, ...), so Keras HDF5 weight files line up name for name.
import * as tfl from '@tensorflow/tfjs-layers';

import { conv2d } from './conv2d';
import { dropout } from './dropout';
import { initializeWeights } from './initialize';

export interface BuildOptions {
  /** Height, width, channels of the input images; the tutorial's CIFAR-10 is 32x32x3. */
  inputShape?: [number, number, number];
  /** Number of classes the last layer scores. */
  classes?: number;
  /** When given, every weight is initialised from this seed (see initialize.ts). */
  seed?: number;
}

/** Gives each new layer the Keras 2.0 name: the type's snake-case name and a 1-based count. */
class KerasNames {
  private readonly counts = new Map<string, number>();

  next(prefix: string): string {
    const count = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, count);
    return `${prefix}_${count}`;
  }
}

/** The tutorial's repeated unit: CONV-RELU, CONV-RELU, POOL, DROPOUT. */
function addConvBlock(model: tfl.Sequential, names: KerasNames, filters: number, padding: 'valid' | 'same',
  inputShape?: number[]): void {
  model.add(conv2d({ name: names.next('conv2d'), filters, kernelSize: 3, padding, inputShape }));
  model.add(tfl.layers.activation({ name: names.next('activation'), activation: 'relu' }));
  model.add(conv2d({ name: names.next('conv2d'), filters, kernelSize: 3, padding }));
  model.add(tfl.layers.activation({ name: names.next('activation'), activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ name: names.next('max_pooling2d'), poolSize: 2 }));
  model.add(dropout({ name: names.next('dropout'), rate: 0.25 }));
}

/** A fully connected layer with its activation and, when rate > 0, dropout after it. */
function addDense(model: tfl.Sequential, names: KerasNames, units: number, activation: 'relu' | 'softmax',
  rate = 0): void {
  model.add(tfl.layers.dense({ name: names.next('dense'), units }));
  model.add(tfl.layers.activation({ name: names.next('activation'), activation }));
  if (rate > 0) model.add(dropout({ name: names.next('dropout'), rate }));
}

function finish(model: tfl.Sequential, options: BuildOptions): tfl.Sequential {
  if (options.seed !== undefined) initializeWeights(model, options.seed);
  return model;
}

/** basic_model.py: two unpadded conv blocks (32, 64 filters), Dense 256, Dense softmax. */
export function basicModel(options: BuildOptions = {}): tfl.Sequential {
  const names = new KerasNames();
  const model = tfl.sequential({ name: 'basic_model' });
  addConvBlock(model, names, 32, 'valid', options.inputShape ?? [32, 32, 3]);
  addConvBlock(model, names, 64, 'valid');
  model.add(tfl.layers.flatten({ name: names.next('flatten') }));
  addDense(model, names, 256, 'relu', 0.5);
  addDense(model, names, options.classes ?? 10, 'softmax');
  return finish(model, options);
}

/** improved_model.py: three same-padded conv blocks (32, 64, 128), Dense 512, 256, softmax. */
export function improvedModel(options: BuildOptions = {}): tfl.Sequential {
  const names = new KerasNames();
  const model = tfl.sequential({ name: 'improved_model' });
  addConvBlock(model, names, 32, 'same', options.inputShape ?? [32, 32, 3]);
  addConvBlock(model, names, 64, 'same');
  addConvBlock(model, names, 128, 'same');
  model.add(tfl.layers.flatten({ name: names.next('flatten') }));
  addDense(model, names, 512, 'relu', 0.5);
  addDense(model, names, 256, 'relu', 0.5);
  addDense(model, names, options.classes ?? 10, 'softmax');
  return finish(model, options);
}
