// Training batches: shuffled, normalised and (for training data) augmented on the fly.
// Everything random is derived from (seed, epoch, batch), so a resumed run replays exactly.
import { ConvkitError } from '../errors';
import { Augmenter, type AugmentOptions } from './augment';
import { RANDOM_STREAM, type Normalization } from './preprocess';
import { Random } from './random';
import type { ImageSet } from './types';

export interface Batch {
  /** count * height * width * channels floats, NHWC, already scaled, standardised and augmented. */
  x: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface BatchStreamOptions {
  batchSize: number;
  shuffle: boolean;
  seed: number;
  /** Leave out (or null) for validation and test data: they are never augmented implicitly. */
  augment?: AugmentOptions | null;
  normalize: Normalization;
}

export class BatchStream {
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  private readonly augmenter: Augmenter;
  private readonly imageSize: number;

  constructor(private readonly set: ImageSet, private readonly options: BatchStreamOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new ConvkitError(`batch size must be a whole number >= 1, got ${options.batchSize}`);
    }
    if (!Number.isInteger(options.seed)) throw new ConvkitError(`seed must be a whole number, got ${options.seed}`);
    this.batchSize = options.batchSize;
    this.batchesPerEpoch = Math.ceil(set.count / options.batchSize);
    this.imageSize = set.height * set.width * set.channels;
    this.augmenter = new Augmenter(set, options.augment ?? null, options.normalize);
  }

  /** The image order of an epoch: a seeded permutation when shuffling, else file order. */
  order(epochIndex: number): Int32Array {
    if (this.options.shuffle) return Random.fromSeeds(this.options.seed, RANDOM_STREAM.shuffle, epochIndex).permutation(this.set.count);
    const order = new Int32Array(this.set.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return order;
  }

  /** One batch of an epoch, computable on its own (e.g. to resume mid-epoch). Arrays are fresh each call. */
  batch(epochIndex: number, batchIndex: number, order: Int32Array = this.order(epochIndex)): Batch {
    if (!(batchIndex >= 0 && batchIndex < this.batchesPerEpoch)) throw new RangeError(`batch ${batchIndex} is outside 0..${this.batchesPerEpoch - 1}`);
    const indices = order.subarray(batchIndex * this.batchSize, Math.min(this.set.count, (batchIndex + 1) * this.batchSize));
    const count = indices.length;
    const x = new Float32Array(count * this.imageSize);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) labels[i] = this.set.labels[indices[i]];
    const random = this.options.augment ? Random.fromSeeds(this.options.seed, RANDOM_STREAM.augment, epochIndex, batchIndex) : null;
    this.augmenter.apply(this.set.images, indices, x, random, { seed: this.options.seed, epoch: epochIndex });
    return { x, labels, count };
  }

  /** The batches of one epoch in order; the last one may be smaller. */
  *epoch(epochIndex: number): Iterable<Batch> {
    const order = this.order(epochIndex);
    for (let b = 0; b < this.batchesPerEpoch; b++) yield this.batch(epochIndex, b, order);
  }
}
