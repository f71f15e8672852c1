// Saving and restoring an optimizer so that a resumed run takes bit-identical steps.
// tfjs optimizers expose their slots (Adam: step count, first and second moments; convkit's
// SGD: step count, momentum buffers) through getWeights/setWeights. Adam also keeps beta1^t
// and beta2^t as running products, and its setWeights recomputes them with pow(), which can
// differ from the products in the last bit; convkit saves and puts back the running products
// themselves.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { ConvkitError } from '../errors';

export interface OptimizerSpec {
  className: string;
  /** The optimizer's own config (learning rate, betas, epsilon), for information. */
  config: tf.serialization.ConfigDict;
  /** getWeights()'s tensors, in order, stored one after the other in the binary file. */
  weights: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }>;
  /** Adam's running products beta1^t and beta2^t (exact float32 values). */
  accumulators?: { accBeta1: number; accBeta2: number };
}

/** Adam's private running products (see the note at the top). */
interface AdamAccumulators {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

function adamAccumulators(optimizer: tf.Optimizer): AdamAccumulators | null {
  const candidate = optimizer as unknown as Partial<AdamAccumulators>;
  return optimizer.getClassName() === 'Adam' && candidate.accBeta1 instanceof tf.Variable && candidate.accBeta2 instanceof tf.Variable
    ? candidate as AdamAccumulators : null;
}

/** The optimizer's complete state as a JSON-able spec and one binary blob. */
export async function captureOptimizer(optimizer: tf.Optimizer): Promise<{ spec: OptimizerSpec; data: Uint8Array }> {
  const named = await optimizer.getWeights();
  const arrays = await Promise.all(named.map((w) => w.tensor.data() as Promise<Float32Array | Int32Array>));
  // getWeights makes a new tensor for the step count; the moments are the live variables.
  tf.dispose(named.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  const data = new Uint8Array(arrays.reduce((total, a) => total + a.byteLength, 0));
  let offset = 0;
  for (const array of arrays) {
    data.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset += array.byteLength;
  }
  const spec: OptimizerSpec = {
    className: optimizer.getClassName(),
    config: optimizer.getConfig(),
    weights: named.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype === 'int32' ? 'int32' : 'float32' })),
  };
  const adam = adamAccumulators(optimizer);
  if (adam) spec.accumulators = { accBeta1: (await adam.accBeta1.data())[0], accBeta2: (await adam.accBeta2.data())[0] };
  return { spec, data };
}

function shapeText(shape: number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Slots per trainable weight after the step count: Adam keeps a first and a second moment,
 * convkit's SGD one momentum buffer.
 */
const SLOTS_PER_WEIGHT = new Map([['Adam', 2], ['SGD', 1]]);

/** The slots are the step count, then `perWeight` sets of one tensor per trainable weight, in order. */
function checkSlots(spec: OptimizerSpec, model: tfl.LayersModel, source: string, perWeight: number): void {
  const shapes = model.trainableWeights.map((w) => w.shape as number[]);
  const slots = spec.weights;
  if (slots.length === 1 && slots[0].shape.length === 0) return;  // saved before the first step
  if (slots.length !== 1 + perWeight * shapes.length) {
    throw new ConvkitError(`${source}: the optimizer state has ${slots.length} tensors; ${spec.className} on this model has ` +
      `${1 + perWeight * shapes.length}`);
  }
  slots.slice(1).forEach((slot, i) => {
    const weight = model.trainableWeights[i % shapes.length];
    if (shapeText(slot.shape) !== shapeText(shapes[i % shapes.length])) {
      throw new ConvkitError(`${source}: optimizer slot '${slot.name}' has shape ${shapeText(slot.shape)} but weight ` +
        `'${weight.originalName}' has ${shapeText(shapes[i % shapes.length])}`);
    }
  });
}

function checkSpec(spec: OptimizerSpec, source: string): void {
  const ok = typeof spec.className === 'string' && Array.isArray(spec.weights) && spec.weights.length > 0 && spec.weights.every((w) =>
    w && typeof w.name === 'string' && (w.dtype === 'float32' || w.dtype === 'int32') && Array.isArray(w.shape) &&
    w.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) && spec.weights[0].name === 'iter' && spec.weights[0].shape.length === 0 &&
    (spec.accumulators === undefined || (typeof spec.accumulators === 'object' && spec.accumulators !== null &&
      [spec.accumulators.accBeta1, spec.accumulators.accBeta2].every((v) => typeof v === 'number' && v >= 0 && v <= 1)));
  if (!ok) throw new ConvkitError(`${source}: the saved optimizer state is damaged`);
}

/** Puts a captured state back into the (compiled, not yet trained) model's optimizer. */
export async function restoreOptimizer(model: tfl.LayersModel, spec: OptimizerSpec, data: Uint8Array, source: string): Promise<void> {
  const optimizer = model.optimizer;
  checkSpec(spec, source);
  if (spec.className !== optimizer.getClassName()) {
    throw new ConvkitError(`${source}: the saved optimizer is ${spec.className} but training uses ${optimizer.getClassName()}`);
  }
  const perWeight = SLOTS_PER_WEIGHT.get(spec.className);
  if (perWeight !== undefined) checkSlots(spec, model, source, perWeight);
  const sizes = spec.weights.map((w) => w.shape.reduce((a, b) => a * b, 1));
  if (sizes.reduce((a, b) => a + b, 0) * 4 !== data.length) {
    throw new ConvkitError(`${source}: the optimizer file holds ${data.length} bytes, its spec lists ${sizes.reduce((a, b) => a + b, 0) * 4}`);
  }
  const aligned = data.slice().buffer;
  let offset = 0;
  const named = spec.weights.map((w, i) => {
    const values = w.dtype === 'int32' ? new Int32Array(aligned, offset, sizes[i]) : new Float32Array(aligned, offset, sizes[i]);
    offset += sizes[i] * 4;
    return { name: w.name, tensor: tf.tensor(values, w.shape, w.dtype) };
  });
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  const adam = adamAccumulators(optimizer);
  const accumulators = spec.accumulators;
  if (adam && accumulators) {
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(accumulators.accBeta1));
      adam.accBeta2.assign(tf.scalar(accumulators.accBeta2));
    });
  }
}
