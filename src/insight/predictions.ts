// Class probabilities for many images, in batches, and the top-k view of them.
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../index';
import type { ImageSet } from '../data/types';
import { ConvkitError } from '../errors';
import { Preprocess, scaleToUnit, pixelTensor } from './images';
import { modelImageShape } from './layers';
import { checkTtaLevel, classifierOf, predictWithTta } from './tta';

/** One probability row per image: `probabilities[i * classCount + c]`. */
export interface Predictions {
  probabilities: Float32Array;
  count: number;
  classCount: number;
  /** The most probable class of each image. */
  predicted: Int32Array;
}

export interface PredictOptions {
  preprocess?: Preprocess;
  batchSize?: number;
  /** Called after each batch with the number of images done, for progress bars. */
  onProgress?: (done: number, total: number) => void;
  /** Test-time augmentation: 0 none (default), 1 mirror, 2 mirror and translate (see tta.ts). */
  tta?: number;
}

/** Runs the model over every image of the set. */
export function predictImageSet(model: tfl.LayersModel, set: ImageSet, options: PredictOptions = {}): Predictions {
  const { height, width, channels } = modelImageShape(model);
  if (set.height !== height || set.width !== width || set.channels !== channels) {
    throw new ConvkitError(`the model takes ${width}x${height}x${channels} images, `
      + `the data has ${set.width}x${set.height}x${set.channels}`);
  }
  return predictPixels(model, set.images, set.count, options);
}

/** Runs the model over `count` byte images stored back to back in the model's input size. */
export function predictPixels(model: tfl.LayersModel, pixels: Uint8Array | Float32Array, count: number,
  options: PredictOptions = {}): Predictions {
  const { height, width, channels } = modelImageShape(model);
  const preprocess = options.preprocess ?? scaleToUnit;
  const batchSize = options.batchSize ?? 256;
  const tta = checkTtaLevel(options.tta ?? 0);
  const imageSize = height * width * channels;
  let probabilities = new Float32Array(0);
  let classCount = 0;
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const batch = tf.tidy(() => {
      const input = preprocess(pixelTensor(pixels.subarray(start * imageSize, end * imageSize), end - start,
        height, width, channels));
      return predictWithTta(classifierOf(model), input, tta);
    });
    const values = batch.dataSync() as Float32Array;
    if (start === 0) {
      classCount = batch.shape[batch.shape.length - 1] as number;
      probabilities = new Float32Array(count * classCount);
    }
    batch.dispose();
    probabilities.set(values, start * classCount);
    options.onProgress?.(end, count);
  }
  return { probabilities, count, classCount, predicted: argmaxRows(probabilities, classCount) };
}

function argmaxRows(values: Float32Array, columns: number): Int32Array {
  const rows = values.length / columns;
  const best = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let bestColumn = 0;
    for (let column = 1; column < columns; column++) {
      if (values[row * columns + column] > values[row * columns + bestColumn]) bestColumn = column;
    }
    best[row] = bestColumn;
  }
  return best;
}

/** The probability row of image `index`. */
export function probabilitiesOf(predictions: Predictions, index: number): Float32Array {
  return predictions.probabilities.subarray(index * predictions.classCount, (index + 1) * predictions.classCount);
}

export interface RankedClass {
  classIndex: number;
  probability: number;
}

/** The `k` most probable classes, most probable first. */
export function topK(probabilities: ArrayLike<number>, k = 3): RankedClass[] {
  return Array.from(probabilities, (probability, classIndex) => ({ classIndex, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}
