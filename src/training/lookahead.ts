// Lookahead as airbench does it (arXiv 2404.00498, section 3.5): an exponential moving
// average of all the model's weights, BatchNorm statistics included, that every few steps
// takes a step towards the trained weights and is then copied back into the model; at the
// end of the run the model gets the average itself. The decay grows with progress, so the
// average follows the weights closely early on and smooths them late.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { ConvkitError } from '../errors';
import { Callback, Logs, TrainingContext } from './callbacks';

/** The decay of the update after optimizer step `step` of `totalSteps`. */
export type LookaheadDecay = (step: number, totalSteps: number) => number;

/** airbench's: 0.95^5 * (step / totalSteps)^3, from 0 (copy the weights) to 0.77. */
export const airbenchLookaheadDecay: LookaheadDecay = (step, totalSteps) => 0.95 ** 5 * (step / totalSteps) ** 3;

export interface LookaheadArgs {
  /** Optimizer steps between updates; default 5. */
  every?: number;
  /** Default airbenchLookaheadDecay. */
  decayAt?: LookaheadDecay;
}

/** One weight's average, and what identifies the weight it follows. */
interface AveragedWeight {
  /** The weight's originalName ('layer/kernel'): `name` gets a suffix when a process builds a model twice. */
  name: string;
  shape: number[];
  values: Float32Array;
}

const STATE_VERSION = 1;

/** A weight's float32 values as base64 (little-endian, as typed arrays hold them on every platform convkit builds for). */
function encodeValues(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeValues(text: unknown, size: number, where: string): Float32Array {
  if (typeof text !== 'string' || !BASE64.test(text)) throw new ConvkitError(`the saved state of Lookahead: ${where} is not base64 text`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== size * 4) throw new ConvkitError(`the saved state of Lookahead: ${where} holds ${bytes.length} bytes, not ${size} float32 values`);
  // Copied into a fresh array: Buffer's memory may be shared and unaligned for float32.
  const values = new Float32Array(size);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

/**
 * Every `every` optimizer steps: average += (1 - decay) * (weights - average), then
 * weights = average, with decay = decayAt(step, totalSteps); after the run's last step,
 * weights = average. The average starts from the model's weights when training begins
 * (or from a checkpoint's state when resuming), and only float32 weights take part.
 * Place it after callbacks that change the weights at a batch end and before those that
 * read them (e.g. ModelCheckpoint).
 */
export class Lookahead extends Callback {
  override readonly stateKey = 'lookahead';
  readonly every: number;
  readonly decayAt: LookaheadDecay;
  private average: AveragedWeight[] | null = null;
  /** The averaged weights, as onTrainBegin found them. */
  private weights: tfl.LayerVariable[] = [];
  /** Set by setState: the next onTrainBegin continues this average instead of starting anew. */
  private restored = false;

  constructor(args: LookaheadArgs = {}) {
    super();
    this.every = args.every ?? 5;
    if (!(Number.isSafeInteger(this.every) && this.every >= 1)) throw new ConvkitError(`Lookahead every must be a whole number >= 1, got ${this.every}`);
    this.decayAt = args.decayAt ?? airbenchLookaheadDecay;
  }

  override onTrainBegin(context: TrainingContext): void {
    // Kept in this order: model.weights lists trainable weights first, and a weight frozen
    // during training (FreezeAfterEpochs) would move in that list.
    const weights = this.weights = averagedWeights(context);
    if (this.restored && this.average) {
      this.checkMatches(weights.map((weight) => ({ name: weight.originalName, shape: weight.shape as number[] })));
    } else {
      this.average = weights.map((weight) => ({
        name: weight.originalName, shape: [...weight.shape as number[]], values: Float32Array.from(weight.read().dataSync() as Float32Array),
      }));
    }
    this.restored = false;
  }

  override onBatchEnd(_batch: number, _logs: Logs, context: TrainingContext): void {
    const totalSteps = context.epochs * context.stepsPerEpoch;
    if (context.step % this.every === 0) this.update(this.decayAt(context.step, totalSteps));
    // airbench's last update has decay 1: the average unchanged, copied into the model.
    if (context.step === totalSteps) this.update(1);
  }

  /** The averages (a copy), in the order of the model's float32 weights. */
  averages(): Float32Array[] {
    return (this.average ?? []).map((weight) => weight.values.slice());
  }

  override getState(): unknown {
    if (!this.average) return null;
    return {
      version: STATE_VERSION,
      weights: this.average.map(({ name, shape, values }) => ({ name, shape, values: encodeValues(values) })),
    };
  }

  override setState(state: unknown): void {
    const saved = state as { version?: unknown; weights?: unknown } | null;
    if (!saved || typeof saved !== 'object' || saved.version !== STATE_VERSION || !Array.isArray(saved.weights)) {
      throw new ConvkitError('the saved state of Lookahead is not one this convkit reads');
    }
    this.average = saved.weights.map((entry: unknown, i) => {
      const { name, shape, values } = (entry ?? {}) as { name?: unknown; shape?: unknown; values?: unknown };
      if (typeof name !== 'string' || !Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
        throw new ConvkitError(`the saved state of Lookahead: weight ${i} lacks a name or a shape`);
      }
      const size = (shape as number[]).reduce((a, b) => a * b, 1);
      return { name, shape: shape as number[], values: decodeValues(values, size, `weight ${name}`) };
    });
    this.restored = true;
  }

  private checkMatches(weights: Array<{ name: string; shape: number[] }>): void {
    const average = this.average!;
    const describe = (list: Array<{ name: string; shape: number[] }>) => list.map(({ name, shape }) => `${name} [${shape}]`).join(', ');
    const same = weights.length === average.length &&
      weights.every((weight, i) => weight.name === average[i].name && weight.shape.join() === average[i].shape.join());
    if (!same) {
      throw new ConvkitError(`the saved state of Lookahead is for other weights (${describe(average)}) than the model's (${describe(weights)})`);
    }
  }

  private update(decay: number): void {
    const average = this.average;
    if (!average) throw new ConvkitError('Lookahead updated before training began (onTrainBegin sets up its average)');
    const rate = 1 - decay;
    this.weights.forEach((weight, i) => {
      const mean = average[i].values;
      if (rate !== 0) {
        const current = weight.read().dataSync() as Float32Array;
        for (let j = 0; j < mean.length; j++) mean[j] += rate * (current[j] - mean[j]);
      }
      // A copy: tfjs keeps the array it is given, and the average changes later.
      tf.tidy(() => { weight.write(tf.tensor(mean.slice(), average[i].shape, 'float32')); });
    });
  }
}

/** The weights Lookahead averages: all of the model's float32 ones, trainable or not. */
function averagedWeights(context: TrainingContext) {
  return context.model.weights.filter((weight) => weight.dtype === 'float32');
}
