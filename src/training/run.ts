// A whole training run from one settings object, as `convkit train` starts it, and its
// continuation from a run folder (`convkit train --resume`). The settings are saved in
// model.json, so a resumed run rebuilds the same data, callbacks and optimizer.
import { randomInt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tfl from '@tensorflow/tfjs-layers';

import { parseAugmentSpec } from '../data/augment';
import { LoadDatasetOptions, loadDataset } from '../data/dataset';
import { scaleOnlyNormalization } from '../data/preprocess';
import type { Dataset } from '../data/types';
import { ConvkitError } from '../errors';
import { loadArchitecture } from '../models/architecture';
import { loadKerasWeights } from '../models/hdf5';
import { initializeWeights } from '../models/initialize';
import { MODEL_FILE, ModelMetadata, PREVIOUS_MODEL_FILE, checkWritableFolder } from '../models/io';
import { buildModel, isModelName } from '../models/tutorial';
import { Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint } from './callbacks';
import { loadTrainingCheckpoint } from './checkpoint';
import { FitResult, compileModel, fit } from './fit';
import { ProgressBar } from './progress';
import { ScheduleConfig, scheduleFromConfig } from './schedules';

/** Everything a run is started with; saved as model.json's convkit.trainingConfig. */
export interface TrainingConfig {
  /** 'basic', 'improved', or the path of a model .json (Keras to_json or convkit). */
  model: string;
  /** Keras HDF5 weights to start from, or null for seeded initial weights. */
  weights: string | null;
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: ScheduleConfig;
  /** Early stopping on val_loss after this many epochs without improvement; null for none. */
  patience: number | null;
  /** Augmentation spec (see data/augment.ts): 'none', 'tutorial', 'crop', ... */
  augment: string;
  /** Images held out of the training set for validation; null for the loader's default (5000, or a tenth). */
  validation: number | null;
  /** Train on the first N images only; null for all. */
  limit: number | null;
  /** Images folder, archive or CIFAR-10 location; null for the default data. */
  data: string | null;
  seed: number;
}

export const BEST_FOLDER = 'best';

export type DatasetLoader = (options: LoadDatasetOptions) => Promise<Dataset>;

export interface RunOptions {
  /** Stops after the current batch and saves (the CLI aborts it on Ctrl-C). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Draw a progress bar and print an epoch line per epoch; default true. */
  progress?: boolean;
  /** Where the images come from; default data/'s loadDataset. Tests pass synthetic data. */
  loadData?: DatasetLoader;
  /** More callbacks, after the ones the config asks for. */
  callbacks?: Callback[];
}

export interface RunResult extends FitResult {
  folder: string;
}

export const DEFAULT_CONFIG: Omit<TrainingConfig, 'model' | 'seed'> = {
  weights: null, epochs: 25, batchSize: 128, learningRate: 0.001, schedule: { kind: 'constant' }, patience: null,
  augment: 'none', validation: null, limit: null, data: null,
};

export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

async function loadData(config: TrainingConfig, size: [number, number], options: RunOptions): Promise<Dataset> {
  const loader = options.loadData ?? loadDataset;
  return loader({ data: config.data ?? undefined, limit: config.limit ?? undefined, val: config.validation ?? undefined, seed: config.seed,
    size, log: options.log });
}

/** The model a config names, with its starting weights, checked against the data. */
async function startingModel(config: TrainingConfig, options: RunOptions): Promise<{ model: tfl.Sequential; dataset: Dataset }> {
  if (isModelName(config.model)) {
    const dataset = await loadData(config, [32, 32], options);
    const { height, width, channels } = dataset.train;
    const model = buildModel(config.model, { inputShape: [height, width, channels], classes: dataset.classNames.length, seed: config.seed });
    return { model, dataset };
  }
  const model = await loadArchitecture(config.model);
  initializeWeights(model, config.seed);
  const [, height, width] = model.inputs[0].shape as number[];
  const dataset = await loadData(config, [height, width], options);
  const classes = model.outputs[0].shape[1];
  if (classes !== dataset.classNames.length) {
    model.dispose();
    throw new ConvkitError(`${config.model} scores ${classes} classes but the data has ${dataset.classNames.length} (${dataset.classNames.slice(0, 5).join(', ')}...)`);
  }
  return { model, dataset };
}

function callbacksFor(config: TrainingConfig, folder: string, hasValidation: boolean, options: RunOptions): Callback[] {
  const monitor = hasValidation ? 'val_loss' : 'loss';
  const callbacks: Callback[] = [];
  if (config.schedule.kind !== 'constant') callbacks.push(new LearningRateScheduler(scheduleFromConfig(config.schedule, config.learningRate)));
  if (config.patience !== null) callbacks.push(new EarlyStopping({ monitor, patience: config.patience }));
  callbacks.push(new ModelCheckpoint(path.join(folder, BEST_FOLDER), { monitor }));
  if (options.progress ?? true) callbacks.push(new ProgressBar({ log: options.log }));
  return [...callbacks, ...(options.callbacks ?? [])];
}

function metadataFor(config: TrainingConfig, dataset: Dataset): ModelMetadata {
  const { height, width, channels } = dataset.train;
  return {
    classNames: dataset.classNames, inputShape: [height, width, channels], normalization: scaleOnlyNormalization(channels),
    dataSource: dataset.source, trainingConfig: { ...config },
  };
}

async function run(model: tfl.Sequential, dataset: Dataset, config: TrainingConfig, folder: string, options: RunOptions,
  resume?: Parameters<typeof fit>[2]['resume']): Promise<RunResult> {
  const metadata = metadataFor(config, dataset);
  compileModel(model, config.learningRate);
  try {
    const result = await fit(model, dataset, {
      epochs: config.epochs, batchSize: config.batchSize, seed: config.seed, normalization: metadata.normalization!,
      augment: parseAugmentSpec(config.augment), callbacks: callbacksFor(config, folder, dataset.validation.count > 0, options),
      checkpointDir: folder, metadata, signal: options.signal, resume,
    });
    return { ...result, folder };
  } finally {
    model.dispose();
  }
}

/** Starts a new run in `folder`, which must not hold one already. */
export async function train(config: TrainingConfig, folder: string, options: RunOptions = {}): Promise<RunResult> {
  if (fs.existsSync(path.join(folder, MODEL_FILE))) {
    throw new ConvkitError(`${folder} already holds a run; continue it with --resume ${folder}, or choose another --out`);
  }
  if (!isModelName(config.model) && !/\.json$/i.test(config.model)) {
    throw new ConvkitError(`unknown model '${config.model}': use basic, improved, or the path of a model .json file`);
  }
  parseAugmentSpec(config.augment);
  checkWritableFolder(folder);
  options.log?.(`run folder: ${folder} (seed ${config.seed})`);
  const settled: TrainingConfig = { ...config, data: config.data && path.resolve(config.data), weights: config.weights && path.resolve(config.weights) };
  const { model, dataset } = await startingModel(settled, options);
  if (settled.weights) await loadKerasWeights(model, settled.weights).catch((e) => { model.dispose(); throw e; });
  return run(model, dataset, settled, folder, options);
}

function checkSavedConfig(value: unknown, source: string): TrainingConfig {
  const config = value as Partial<TrainingConfig> | undefined;
  const keys = Object.keys(DEFAULT_CONFIG).concat('model', 'seed');
  if (!config || typeof config !== 'object' || keys.some((k) => !(k in config)) || typeof config.model !== 'string' ||
    !Number.isSafeInteger(config.seed) || !Number.isSafeInteger(config.epochs) || !Number.isSafeInteger(config.batchSize)) {
    throw new ConvkitError(`${source}: "convkit.trainingConfig" is missing or damaged; the run cannot be resumed`);
  }
  return config as TrainingConfig;
}

/** Continues the run saved in `folder` at its next batch; `epochs` may extend it. */
export async function resume(folder: string, options: RunOptions & { epochs?: number } = {}): Promise<RunResult> {
  if (!fs.existsSync(folder)) throw new ConvkitError(`cannot resume ${folder}: no such folder`);
  if (!fs.existsSync(path.join(folder, MODEL_FILE)) && !fs.existsSync(path.join(folder, PREVIOUS_MODEL_FILE))) {
    throw new ConvkitError(`cannot resume ${folder}: it holds no checkpoint (no ${MODEL_FILE}); start a run with --out ${folder}`);
  }
  checkWritableFolder(folder);
  const checkpoint = await loadTrainingCheckpoint(folder, { log: options.log ?? ((line) => console.error(line)) });
  const config = { ...checkSavedConfig(checkpoint.metadata.trainingConfig, checkpoint.file) };
  if (options.epochs !== undefined) config.epochs = options.epochs;
  const { state } = checkpoint;
  const done = state.position.epoch;
  const refusal = state.finished === 'early-stopping' ? `${folder} stopped early after epoch ${done}; nothing to resume`
    : done < config.epochs ? null
      : state.position.batch === 0 ? `${folder} finished its ${done} epochs; pass --epochs N with N > ${done} to train further`
        : `${folder} is in epoch ${done + 1}; --epochs must be at least ${done + 1}`;
  if (refusal) {
    checkpoint.model.dispose();
    throw new ConvkitError(refusal);
  }
  const [height, width] = checkpoint.model.inputs[0].shape.slice(1) as number[];
  const dataset = await loadData(config, [height, width], options).catch((e) => { checkpoint.model.dispose(); throw e; });
  return run(checkpoint.model, dataset, config, folder, options,
    { state: { ...state, finished: null }, optimizerData: checkpoint.optimizerData, source: checkpoint.file });
}
