// Opening a training run folder (runs/NAME: model.json, weights, history.csv) and the data it
// was trained on, for the evaluate, visualize and predict commands.
import * as fs from 'fs';
import * as path from 'path';
import * as tfl from '@tensorflow/tfjs-layers';

import { loadDataset } from '../data/dataset';
import type { Dataset, ImageSet } from '../data/types';
import { ConvkitError } from '../errors';
import { ModelMetadata, loadModel } from '../models/io';
import { TrainingHistory, readHistory } from './history';
import { Preprocess, preprocessFor } from './images';
import { modelImageShape } from './layers';

export interface OpenedRun {
  folder: string;
  model: tfl.LayersModel;
  metadata: ModelMetadata;
  /** From the run's metadata; `class 0`, `class 1`... when it has none. */
  classNames: string[];
  preprocess: Preprocess;
  history?: TrainingHistory;
}

function classCountOf(model: tfl.LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] as number;
}

/** Loads the model of a run folder (or a model.json) with what the insight functions need. */
export async function openRun(location: string, log?: (line: string) => void): Promise<OpenedRun> {
  if (!fs.existsSync(location)) throw new ConvkitError(`run folder ${location} does not exist`);
  const { model, metadata } = await loadModel(location, { log });
  const folder = fs.statSync(location).isDirectory() ? location : path.dirname(location);
  const classCount = classCountOf(model);
  const classNames = metadata.classNames ?? Array.from({ length: classCount }, (_, i) => `class ${i}`);
  if (classNames.length !== classCount) {
    throw new ConvkitError(`${location}: the model scores ${classCount} classes but its metadata names ${classNames.length}`);
  }
  return {
    folder, model, metadata, classNames, preprocess: preprocessFor(metadata.normalization),
    history: readHistory(path.join(folder, 'history.csv')),
  };
}

function configValue<T extends string | number>(config: Record<string, unknown> | undefined, key: string,
  type: 'string' | 'number'): T | undefined {
  const value = config?.[key];
  return typeof value === type ? value as T : undefined;
}

/**
 * The run's dataset, split as in training (same data, limit, validation size and seed from
 * its saved settings) unless `data` points elsewhere.
 */
export async function loadRunData(run: OpenedRun, options: { data?: string; log?: (line: string) => void } = {}): Promise<Dataset> {
  const config = run.metadata.trainingConfig;
  const { height, width, channels } = modelImageShape(run.model);
  const sameData = options.data === undefined;
  const dataset = await loadDataset({
    data: options.data ?? configValue<string>(config, 'data', 'string'),
    limit: sameData ? configValue<number>(config, 'limit', 'number') : undefined,
    val: sameData ? configValue<number>(config, 'validation', 'number') : undefined,
    seed: sameData ? configValue<number>(config, 'seed', 'number') : undefined,
    size: [height, width],
    log: options.log,
  });
  if (dataset.train.channels !== channels) {
    throw new ConvkitError(`the model takes ${channels}-channel images, the data has ${dataset.train.channels}`);
  }
  if (dataset.classNames.length !== run.classNames.length) {
    throw new ConvkitError(`the model knows ${run.classNames.length} classes, the data has ${dataset.classNames.length} `
      + `(${dataset.classNames.slice(0, 5).join(', ')}...)`);
  }
  if (run.metadata.classNames && dataset.classNames.some((name, i) => name !== run.classNames[i])) {
    throw new ConvkitError(`the data's classes (${dataset.classNames.join(', ')}) are not the model's (${run.classNames.join(', ')})`);
  }
  return dataset;
}

/** The first `count` images of a set, sharing its memory. */
export function firstImages(set: ImageSet, count: number): ImageSet {
  const kept = Math.min(count, set.count);
  const size = set.height * set.width * set.channels;
  return { ...set, images: set.images.subarray(0, kept * size), labels: set.labels.subarray(0, kept), count: kept };
}
