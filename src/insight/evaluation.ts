// Accuracy on each split of a dataset, and per-class accuracy and the error breakdown on the
// split that matters most (test when there is one, else validation).
import * as tfl from '@tensorflow/tfjs-layers';

import type { ImageSet } from '../data/types';
import { ConvkitError } from '../errors';
import type { Preprocess } from './images';
import { accuracy, confusionMatrix, perClassAccuracy } from './metrics';
import { Predictions, predictImageSet } from './predictions';

export interface NamedImageSet {
  name: string;
  set: ImageSet;
}

export interface SplitResult {
  name: string;
  count: number;
  accuracy: number;
  predictions: Predictions;
}

export interface Evaluation {
  classNames: string[];
  splits: SplitResult[];
  /** The split the confusion matrix and per-class accuracy describe (the last one given). */
  detailed: string;
  confusion: number[][];
  perClass: number[];
}

export interface EvaluateOptions {
  preprocess?: Preprocess;
  batchSize?: number;
  /** Test-time augmentation: 0 none (default), 1 mirror, 2 mirror and translate (see tta.ts). */
  tta?: number;
  /** Told before each split, for progress output. */
  onSplit?: (name: string, count: number) => void;
}

/** Runs the model over every split; the last split gets the detailed breakdown. */
export function evaluateSplits(model: tfl.LayersModel, splits: NamedImageSet[], classNames: string[],
  options: EvaluateOptions = {}): Evaluation {
  const nonEmpty = splits.filter(({ set }) => set.count > 0);
  if (nonEmpty.length === 0) throw new ConvkitError('there are no images to evaluate on');
  const results = nonEmpty.map(({ name, set }) => {
    options.onSplit?.(name, set.count);
    const predictions = predictImageSet(model, set, { preprocess: options.preprocess, batchSize: options.batchSize, tta: options.tta });
    if (predictions.classCount !== classNames.length) {
      throw new ConvkitError(`the model scores ${predictions.classCount} classes but the run names ${classNames.length}`);
    }
    return { name, count: set.count, accuracy: accuracy(set.labels, predictions.predicted), predictions };
  });
  const detailed = nonEmpty[nonEmpty.length - 1];
  const confusion = confusionMatrix(detailed.set.labels, results[results.length - 1].predictions.predicted, classNames.length);
  return { classNames, splits: results, detailed: detailed.name, confusion, perClass: perClassAccuracy(confusion) };
}
