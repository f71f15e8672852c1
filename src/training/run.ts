// A whole training run from one settings object, as `convkit train` starts it, and its
// continuation from a run folder (`convkit train --resume`). The settings are saved in
// model.json, so a resumed run rebuilds the same data, callbacks and optimizer.
import { randomInt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tfl from '@tensorflow/tfjs-layers';

import { parseAugmentSpec } from '../data/augment';
import { LoadDatasetOptions, loadDataset } from '../data/dataset';
import { Normalization, computeNormalization, scaleOnlyNormalization, takeFirst, toFloat32 } from '../data/preprocess';
import type { Dataset } from '../data/types';
import { ConvkitError } from '../errors';
import { loadArchitecture } from '../models/architecture';
import { loadKerasWeights } from '../models/hdf5';
import { modelFlops } from '../models/flops';
import { initializeWeights } from '../models/initialize';
import { MODEL_FILE, ModelMetadata, PREVIOUS_MODEL_FILE, checkWritableFolder } from '../models/io';
import { MODEL_NAMES, buildModel, isModelName } from '../models/catalog';
import { WHITENING_BIAS_EPOCHS, WHITENING_LAYER, WHITENING_SAMPLE, freezeWhiteningKernel } from '../models/fast';
import { initializeWhitening } from '../models/whitening';
import { Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint } from './callbacks';
import { loadTrainingCheckpoint } from './checkpoint';
import { FitResult, fit } from './fit';
import { Lookahead } from './lookahead';
import { TimeToAccuracy } from './milestones';
import { TrainingCompute } from './compute';
import { DEFAULT_RECIPE, FreezeAfterEpochs, RecipeSettings, compileWith } from './recipe';
import { ProgressBar } from './progress';
import { scheduleFromConfig } from './schedules';

/** Everything a run is started with; saved as model.json's convkit.trainingConfig. */
export interface TrainingConfig extends RecipeSettings {
  /** 'basic', 'improved', 'fast', or the path of a model .json (Keras to_json or convkit). */
  model: string;
  /** Keras HDF5 weights to start from, or null for seeded initial weights. */
  weights: string | null;
  /** Early stopping on val_loss after this many epochs without improvement; null for none. */
  patience: number | null;
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
  ...DEFAULT_RECIPE, weights: null, patience: null, validation: null, limit: null, data: null,
};

/** Settings added after the first release; runs saved before them get the defaults. */
const LATER_SETTINGS = ['optimizer', 'labelSmoothing', 'lookahead', 'inputScaling', 'tta'] as const;

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

/** The recipe's whitening layer (see models/fast.ts) starts from the first images' patch statistics. */
function initializeFromData(model: tfl.Sequential, dataset: Dataset, normalization: Normalization): void {
  const layer = model.layers.find((candidate) => candidate.name === WHITENING_LAYER);
  if (!layer) return;
  const sample = takeFirst(dataset.train, Math.min(WHITENING_SAMPLE, dataset.train.count));
  initializeWhitening(layer, toFloat32(sample, normalization), [sample.count, sample.height, sample.width, sample.channels]);
}

function callbacksFor(config: TrainingConfig, folder: string, model: tfl.LayersModel, dataset: Dataset, normalization: Normalization,
  options: RunOptions): Callback[] {
  const hasValidation = dataset.validation.count > 0;
  const monitor = hasValidation ? 'val_loss' : 'loss';
  const callbacks: Callback[] = [];
  if (config.schedule.kind !== 'constant') callbacks.push(new LearningRateScheduler(scheduleFromConfig(config.schedule, config.learningRate)));
  if (config.lookahead) callbacks.push(new Lookahead());
  const whiteningBias = model.layers.find((layer) => layer.name === WHITENING_LAYER)?.weights.find((w) => w.originalName.endsWith('/bias'));
  if (whiteningBias) callbacks.push(new FreezeAfterEpochs([whiteningBias], WHITENING_BIAS_EPOCHS));
  callbacks.push(new TrainingCompute(dataset.train.count));
  if (config.patience !== null) callbacks.push(new EarlyStopping({ monitor, patience: config.patience }));
  if (hasValidation) callbacks.push(new TimeToAccuracy({ log: options.log }));
  callbacks.push(new ModelCheckpoint(path.join(folder, BEST_FOLDER), { monitor }));
  if (options.progress ?? true) callbacks.push(new ProgressBar({ log: options.log }));
  return [...callbacks, ...(options.callbacks ?? [])];
}

/** The time-to-accuracy table and the compute the run took: total FLOPs and their rate over the training seconds. */
function reportCompute(model: tfl.Sequential, dataset: Dataset, result: FitResult, callbacks: Callback[], options: RunOptions): void {
  const log = options.log ?? (() => {});
  const milestones = callbacks.find((callback): callback is TimeToAccuracy => callback instanceof TimeToAccuracy);
  if (milestones) log(`time to validation accuracy (wall seconds from the start, data loading included):\n${milestones.summary()}`);
  const seconds = result.history.reduce((total, row) => total + (row.seconds ?? 0), 0);
  // Epochs of a run resumed from a checkpoint older than TrainingCompute count in full.
  const epochFlops = modelFlops(model).training * dataset.train.count;
  const total = result.history.reduce((sum, row) => sum + (row.training_flops ?? epochFlops), 0);
  const perImage = total / (dataset.train.count * result.history.length);
  const amount = total >= 1e12 ? `${(total / 1e12).toFixed(1)} TFLOP` : `${(total / 1e9).toFixed(1)} GFLOP`;
  log(`training compute: ${amount} (${(perImage / 1e6).toFixed(0)} MFLOP per image on average) in ${seconds.toFixed(0)} s ` +
    `of training steps = ${(total / seconds / 1e9).toFixed(1)} GFLOP/s`);
}

function normalizationFor(config: TrainingConfig, dataset: Dataset): Normalization {
  return config.inputScaling === 'standardize' ? computeNormalization(dataset.train) : scaleOnlyNormalization(dataset.train.channels);
}

function metadataFor(config: TrainingConfig, dataset: Dataset, normalization: Normalization): ModelMetadata {
  const { height, width, channels } = dataset.train;
  return {
    classNames: dataset.classNames, inputShape: [height, width, channels], normalization,
    dataSource: dataset.source, trainingConfig: { ...config },
  };
}

async function run(model: tfl.Sequential, dataset: Dataset, config: TrainingConfig, folder: string, options: RunOptions,
  normalization: Normalization, resume?: Parameters<typeof fit>[2]['resume']): Promise<RunResult> {
  const metadata = metadataFor(config, dataset, normalization);
  freezeWhiteningKernel(model);
  compileWith(model, config);
  const callbacks = callbacksFor(config, folder, model, dataset, normalization, options);
  try {
    const result = await fit(model, dataset, {
      epochs: config.epochs, batchSize: config.batchSize, seed: config.seed, normalization,
      augment: parseAugmentSpec(config.augment), callbacks, checkpointDir: folder, metadata, signal: options.signal, resume,
      finalTta: config.tta,
    });
    if (result.stopReason !== 'interrupted') reportCompute(model, dataset, result, callbacks, options);
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
    throw new ConvkitError(`unknown model '${config.model}': use ${MODEL_NAMES.join(', ')}, or the path of a model .json file`);
  }
  parseAugmentSpec(config.augment);
  checkWritableFolder(folder);
  options.log?.(`run folder: ${folder} (seed ${config.seed})`);
  const settled: TrainingConfig = { ...config, data: config.data && path.resolve(config.data), weights: config.weights && path.resolve(config.weights) };
  const { model, dataset } = await startingModel(settled, options);
  const normalization = normalizationFor(settled, dataset);
  if (settled.weights) await loadKerasWeights(model, settled.weights).catch((e) => { model.dispose(); throw e; });
  else initializeFromData(model, dataset, normalization);
  return run(model, dataset, settled, folder, options, normalization);
}

function checkSavedConfig(value: unknown, source: string): TrainingConfig {
  const config = value as Partial<TrainingConfig> | undefined;
  const later: readonly string[] = LATER_SETTINGS;
  const keys = Object.keys(DEFAULT_CONFIG).filter((key) => !later.includes(key)).concat('model', 'seed');
  if (!config || typeof config !== 'object' || keys.some((k) => !(k in config)) || typeof config.model !== 'string' ||
    !Number.isSafeInteger(config.seed) || !Number.isSafeInteger(config.epochs) || !Number.isSafeInteger(config.batchSize)) {
    throw new ConvkitError(`${source}: "convkit.trainingConfig" is missing or damaged; the run cannot be resumed`);
  }
  for (const key of LATER_SETTINGS) if (!(key in config)) Object.assign(config, { [key]: DEFAULT_CONFIG[key] });
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
  return run(checkpoint.model, dataset, config, folder, options, normalizationFor(config, dataset),
    { state: { ...state, finished: null }, optimizerData: checkpoint.optimizerData, source: checkpoint.file });
}
