// Pixel importance by occlusion, as in the tutorial's visualize_pixel_importance.py: cover a
// patch of the image with noise at every position and record how much the probability of
// the class falls. All positions go through the model in as few predict calls as fit.
import * as tfl from '@tensorflow/tfjs-layers';

import { ConvkitError } from '../errors';
import { Image, Preprocess } from './images';
import { assertClassIndex, assertImageFitsModel } from './layers';
import { predictPixels } from './predictions';
import { SeededRandom } from './random';

export interface OcclusionOptions {
  /** The class whose probability is watched; defaults to the model's prediction for the image. */
  classIndex?: number;
  /** Side of the square patch in pixels (the tutorial's 5). */
  patchSize?: number;
  /** Pixels between patch positions; raise it for large images (1 covers every position). */
  stride?: number;
  preprocess?: Preprocess;
  /** Seed of the noise that fills the patch. */
  seed?: number;
  /** Occluded images per predict call; by default as many as fit in about 4M input values. */
  batchSize?: number;
}

export interface OcclusionMap {
  classIndex: number;
  /** The class probability on the untouched image. */
  baseProbability: number;
  patchSize: number;
  /** Top-left corner of each patch row and column position. */
  rowStarts: number[];
  columnStarts: number[];
  /** drops[r * columnStarts.length + c]: probability lost with the patch at (rowStarts[r], columnStarts[c]). */
  drops: Float32Array;
  /** Per pixel, the mean drop of the patches that cover it: the map to lay over the image. */
  pixelDrops: Float32Array;
  height: number;
  width: number;
}

/** Patch corners from 0 in steps of `stride`, always including the last one so edges are covered. */
function patchStarts(size: number, patchSize: number, stride: number): number[] {
  const last = size - patchSize;
  const starts: number[] = [];
  for (let start = 0; start < last; start += stride) starts.push(start);
  starts.push(last);
  return starts;
}

export function occlusion(model: tfl.LayersModel, image: Image, options: OcclusionOptions = {}): OcclusionMap {
  assertImageFitsModel(model, image);
  const patchSize = options.patchSize ?? 5;
  const stride = options.stride ?? 1;
  const { height, width, channels } = image;
  if (!Number.isInteger(patchSize) || patchSize < 1 || patchSize > Math.min(height, width)) {
    throw new ConvkitError(`the occlusion patch must be 1..${Math.min(height, width)} pixels, got ${patchSize}`);
  }
  if (!Number.isInteger(stride) || stride < 1) throw new ConvkitError(`the occlusion stride must be 1 or more, got ${stride}`);

  const rowStarts = patchStarts(height, patchSize, stride);
  const columnStarts = patchStarts(width, patchSize, stride);
  const random = new SeededRandom(options.seed ?? 1);
  const noise = Float32Array.from({ length: patchSize * patchSize * channels }, () => random.next() * 255);

  // Image 0 is the untouched one, so the baseline comes from the same predict call.
  const positions = rowStarts.length * columnStarts.length;
  const imageSize = height * width * channels;
  const batch = new Float32Array((positions + 1) * imageSize);
  for (let i = 0; i <= positions; i++) batch.set(image.pixels, i * imageSize);
  for (let position = 0; position < positions; position++) {
    const top = rowStarts[Math.floor(position / columnStarts.length)];
    const left = columnStarts[position % columnStarts.length];
    const offset = (position + 1) * imageSize;
    for (let y = 0; y < patchSize; y++) {
      const rowOffset = offset + ((top + y) * width + left) * channels;
      batch.set(noise.subarray(y * patchSize * channels, (y + 1) * patchSize * channels), rowOffset);
    }
  }

  const batchSize = options.batchSize ?? Math.max(1, Math.floor(4_000_000 / imageSize));
  const predictions = predictPixels(model, batch, positions + 1, { preprocess: options.preprocess, batchSize });
  const classIndex = options.classIndex ?? predictions.predicted[0];
  assertClassIndex(classIndex, predictions.classCount);
  const probability = (i: number) => predictions.probabilities[i * predictions.classCount + classIndex];
  const baseProbability = probability(0);
  const drops = Float32Array.from({ length: positions }, (_, position) => baseProbability - probability(position + 1));
  return {
    classIndex, baseProbability, patchSize, rowStarts, columnStarts, drops, height, width,
    pixelDrops: spreadOverPixels(drops, rowStarts, columnStarts, patchSize, height, width),
  };
}

function spreadOverPixels(drops: Float32Array, rowStarts: number[], columnStarts: number[], patchSize: number,
  height: number, width: number): Float32Array {
  const sums = new Float32Array(height * width);
  const covers = new Float32Array(height * width);
  rowStarts.forEach((top, row) => columnStarts.forEach((left, column) => {
    const drop = drops[row * columnStarts.length + column];
    for (let y = top; y < top + patchSize; y++) {
      for (let x = left; x < left + patchSize; x++) {
        sums[y * width + x] += drop;
        covers[y * width + x] += 1;
      }
    }
  }));
  return sums.map((sum, i) => (covers[i] > 0 ? sum / covers[i] : 0));
}
