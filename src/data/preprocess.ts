// Turning bytes into what a network eats: 0..1 scaling, per-channel standardisation with
// training-split statistics, one-hot labels, and a seeded train/validation split.
import { ConvkitError } from '../errors';
import { Random } from './random';
import type { ImageSet } from './types';

/**
 * Per-channel statistics in 0..1 pixel units: a byte b of channel c becomes
 * (b / 255 - mean[c]) / std[c]. Plain arrays so it can be saved next to a model.
 */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** Stream ids keep the split's random numbers apart from shuffling and augmentation. */
export const RANDOM_STREAM = { split: 1, shuffle: 2, augment: 3, preview: 4, alternatingFlip: 5 } as const;

/** Scaling to 0..1 only (mean 0, std 1): what the Keras tutorial does. */
export function scaleOnlyNormalization(channels: number): Normalization {
  return { mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
}

/** Mean and standard deviation of each channel over every pixel of the set. */
export function computeNormalization(set: ImageSet): Normalization {
  const { images, channels } = set;
  // Byte histograms per channel give exact sums without a float pass over the data.
  const histogram = new Float64Array(256 * channels);
  for (let i = 0, c = 0; i < images.length; i++) {
    histogram[c * 256 + images[i]]++;
    if (++c === channels) c = 0;
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let count = 0, sum = 0, sumSquares = 0;
    for (let v = 0; v < 256; v++) {
      const n = histogram[c * 256 + v];
      count += n;
      sum += n * v;
      sumSquares += n * v * v;
    }
    const m = count > 0 ? sum / count : 0;
    const variance = count > 0 ? Math.max(0, sumSquares / count - m * m) : 0;
    mean.push(m / 255);
    // A constant channel would divide by zero; leave it unscaled instead.
    std.push(variance > 0 ? Math.sqrt(variance) / 255 : 1);
  }
  return { mean, std };
}

/** 256 floats per channel: the normalised value of each byte, so hot loops only index. */
export function normalizationTable(normalization: Normalization): Float32Array {
  const channels = normalization.mean.length;
  const table = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - normalization.mean[c]) / normalization.std[c];
  }
  return table;
}

/** The whole set as normalised floats, NHWC (no augmentation), e.g. for evaluation. */
export function toFloat32(set: ImageSet, normalization: Normalization): Float32Array {
  checkNormalization(normalization, set.channels);
  const table = normalizationTable(normalization);
  const { images, channels } = set;
  const out = new Float32Array(images.length);
  for (let i = 0, c = 0; i < images.length; i++) {
    out[i] = table[c * 256 + images[i]];
    if (++c === channels) c = 0;
  }
  return out;
}

export function checkNormalization(normalization: Normalization, channels: number): void {
  const { mean, std } = normalization;
  if (mean.length !== channels || std.length !== channels || std.some((s) => !(s > 0)) || mean.some((m) => !Number.isFinite(m))) {
    throw new ConvkitError(`normalization needs ${channels} finite means and positive standard deviations, got ${JSON.stringify(normalization)}`);
  }
}

/** One row of numClasses floats per label, 1 at the label's index. */
export function oneHot(labels: Int32Array, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < numClasses)) {
      throw new ConvkitError(`label ${label} at index ${i} is outside the ${numClasses} classes`);
    }
    out[i * numClasses + label] = 1;
  }
  return out;
}

/** The images at the given indices, in that order, as a new set. */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const imageBytes = set.height * set.width * set.channels;
  const images = new Uint8Array(indices.length * imageBytes);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i];
    images.set(set.images.subarray(from * imageBytes, (from + 1) * imageBytes), i * imageBytes);
    labels[i] = set.labels[from];
  }
  return { images, labels, count: indices.length, height: set.height, width: set.width, channels: set.channels };
}

/** The first n images (a view: no copy). */
export function takeFirst(set: ImageSet, n: number): ImageSet {
  if (n >= set.count) return set;
  const imageBytes = set.height * set.width * set.channels;
  return { ...set, images: set.images.subarray(0, n * imageBytes), labels: set.labels.subarray(0, n), count: n };
}

/**
 * A seeded random choice of `validationCount` images for validation; both parts keep the
 * source's order, so the split depends on (seed, count) alone.
 */
export function splitTrainValidation(set: ImageSet, validationCount: number, seed: number): { train: ImageSet; validation: ImageSet } {
  if (!Number.isInteger(validationCount) || validationCount < 0) {
    throw new ConvkitError(`the validation count must be a whole number >= 0, got ${validationCount}`);
  }
  if (validationCount >= set.count) {
    throw new ConvkitError(`cannot keep ${validationCount} validation images: only ${set.count} training images are loaded ` +
      `(use a validation count below ${set.count}, e.g. --val ${Math.floor(set.count / 10)})`);
  }
  const order = Random.fromSeeds(seed, RANDOM_STREAM.split).permutation(set.count);
  const isValidation = new Uint8Array(set.count);
  for (let i = 0; i < validationCount; i++) isValidation[order[i]] = 1;
  const trainIndices = new Int32Array(set.count - validationCount);
  const validationIndices = new Int32Array(validationCount);
  for (let i = 0, t = 0, v = 0; i < set.count; i++) {
    if (isValidation[i]) validationIndices[v++] = i;
    else trainIndices[t++] = i;
  }
  return { train: selectImages(set, trainIndices), validation: selectImages(set, validationIndices) };
}

/** Throws a ConvkitError naming `source` when the set's arrays or labels are inconsistent. */
export function checkImageSet(set: ImageSet, classCount: number, source: string): void {
  const expectedBytes = set.count * set.height * set.width * set.channels;
  if (set.images.length !== expectedBytes || set.labels.length !== set.count) {
    throw new ConvkitError(`${source}: ${set.count} images of ${set.height}x${set.width}x${set.channels} need ${expectedBytes} bytes and ` +
      `${set.count} labels, found ${set.images.length} bytes and ${set.labels.length} labels`);
  }
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i];
    if (!(label >= 0 && label < classCount)) {
      throw new ConvkitError(`${source}: image ${i} has label ${label}, outside the class list (${classCount} classes)`);
    }
  }
}
