// A Dropout layer whose masks are reproducible. tfjs's own Dropout draws from an unseeded
// global generator, so two runs (or a run and its resumed copy) drop different units.
// ConvkitDropout draws each mask from a generator keyed by (run seed, layer, epoch, step),
// which the trainer sets before every batch: the "random state" is those four numbers.
//
// It is registered under its own class name, 'ConvkitDropout', rather than replacing
// tfjs's 'Dropout' in the global registry: other tfjs code in the same process keeps the
// behaviour it expects, and a saved model says plainly which layer it needs. Keras files
// that use 'Dropout' are converted on load (see architecture.ts).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';

import { hashSeeds } from '../data/random';
import { ConvkitError } from '../errors';
import { dropout as applyDropout, dropoutMask } from '../ops/dropout';

/** Keeps dropout's random numbers apart from the other convkit random streams. */
const DROPOUT_STREAM = 102;

export interface ConvkitDropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, 0 <= rate < 1. */
  rate: number;
  /** Optional mask shape (1 where the mask is shared), as in Keras; null for the input's shape. */
  noiseShape?: number[] | null;
  /** Optional extra seed mixed into this layer's masks (Keras's `seed`). */
  seed?: number | null;
}

/** Where training is: the masks of one batch are a function of these numbers alone. */
export interface DropoutPosition {
  seed: number;
  epoch: number;
  step: number;
}

export class ConvkitDropout extends tfl.layers.Layer {
  static className = 'ConvkitDropout';
  readonly rate: number;
  readonly noiseShape: number[] | null;
  readonly seed: number | null;
  /** This layer's index among the model's dropout layers, so each one gets its own masks. */
  private ordinal = 0;
  private position: DropoutPosition | null = null;
  /** Used when no trainer sets a position (e.g. plain model.fit): successive calls differ. */
  private unpositionedCalls = 0;

  constructor(args: ConvkitDropoutArgs) {
    super(args);
    if (!(typeof args.rate === 'number' && args.rate >= 0 && args.rate < 1)) {
      throw new ConvkitError(`dropout rate must be a number in [0, 1), got ${args.rate}`);
    }
    this.rate = args.rate;
    this.noiseShape = args.noiseShape ?? null;
    this.seed = args.seed ?? null;
    this.supportsMasking = true;
  }

  /** Called by the trainer before each batch. */
  setPosition(position: DropoutPosition, ordinal: number): void {
    this.position = position;
    this.ordinal = ordinal;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs['training'] || this.rate === 0) return input;
    // A mask of the input's own shape is applied as it is made (ops.dropout, the same bits).
    if (!this.noiseShape) return applyDropout(input, this.rate, this.nextKey());
    return tf.tidy(() => tf.mul(input, this.mask(input.shape)));
  }

  /** Zeros with probability `rate`, else 1 / (1 - rate), so the expected output is the input. */
  private mask(inputShape: number[]): tf.Tensor {
    const shape = this.noiseShape!.map((size, axis) => (size == null ? inputShape[axis] : size));
    return dropoutMask(shape, this.rate, this.nextKey());
  }

  /** The key of this call's mask: counter-based kernels make the mask a pure function of (shape, rate, key). */
  private nextKey(): number {
    const { seed, epoch, step } = this.position ?? { seed: 0, epoch: -1, step: this.unpositionedCalls++ };
    return hashSeeds(seed, DROPOUT_STREAM, this.ordinal, this.seed ?? 0, epoch + 1, step);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed };
  }
}
tf.serialization.registerClass(ConvkitDropout);

/** Keras-style factory: `model.add(dropout({ rate: 0.25 }))`. */
export function dropout(args: ConvkitDropoutArgs): ConvkitDropout {
  return new ConvkitDropout(args);
}

/** Points every ConvkitDropout of `model` at the given (seed, epoch, step). */
export function setDropoutPosition(model: tfl.LayersModel, position: DropoutPosition): void {
  let ordinal = 0;
  for (const layer of model.layers) {
    if (layer instanceof ConvkitDropout) layer.setPosition(position, ordinal++);
  }
}
