// How a run trains, beyond the model: optimizer, loss, weight averaging, input scaling and
// the final test-time augmentation, as serialisable settings; and the fast recipe's values
// (airbench94, arXiv 2404.00498), which `--model fast` starts from.
import * as tfl from '@tensorflow/tfjs-layers';

import { ConvkitError } from '../errors';
import { adam } from '../optimizers/adam';
import { SGD, sgd } from '../optimizers/sgd';
import { Callback } from './callbacks';
import { categoricalCrossentropy } from './losses';
import type { ScheduleConfig } from './schedules';

export type OptimizerConfig =
  | { kind: 'adam' }
  /**
   * Nesterov SGD. weightDecay is the fraction of each weight removed per step at the base
   * rate (decoupled from the learning rate, following the schedule); normBiasScale
   * multiplies the rate of BatchNorm offsets (beta), as the fast recipe does.
   */
  | { kind: 'sgd'; momentum: number; nesterov: boolean; weightDecay: number; normBiasScale: number };

/** 'scale': pixels / 255, the tutorial's; 'standardize': per-channel mean and std of the training images. */
export type InputScaling = 'scale' | 'standardize';

/** The part of a run's settings this module interprets. */
export interface RecipeSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: ScheduleConfig;
  augment: string;
  optimizer: OptimizerConfig;
  /** Label smoothing of the cross-entropy, 0 for none. */
  labelSmoothing: number;
  /** Lookahead averaging of the weights (an EMA copied back every 5 steps; see lookahead.ts). */
  lookahead: boolean;
  inputScaling: InputScaling;
  /** Test-time augmentation level of the final evaluation: 0 none, 1 mirror, 2 mirror + translate. */
  tta: number;
}

export const DEFAULT_RECIPE: RecipeSettings = {
  epochs: 25, batchSize: 128, learningRate: 0.001, schedule: { kind: 'constant' }, augment: 'none', optimizer: { kind: 'adam' },
  labelSmoothing: 0, lookahead: false, inputScaling: 'scale', tta: 0,
};

/**
 * airbench94's hyper-parameters. Its rate 11.5 and weight decay 0.0153 are given "per 1024
 * examples" for a summed loss, divided by 1024 * (1 + 1 / (1 - momentum)) so that a step
 * has the size of one gradient; convkit's loss is the batch mean, so the rate here is that
 * step size times the batch size.
 */
function fastRecipe(epochs: number, batchSize: number): RecipeSettings {
  const momentum = 0.85;
  const kilostepScale = 1024 * (1 + 1 / (1 - momentum));
  return {
    epochs, batchSize, learningRate: 11.5 * batchSize / kilostepScale,
    schedule: { kind: 'triangle', start: 0.2, peakAt: 0.23, end: 0.07 },
    augment: 'airbench',
    optimizer: { kind: 'sgd', momentum, nesterov: true, weightDecay: 0.0153 * batchSize / kilostepScale, normBiasScale: 64 },
    labelSmoothing: 0.2, lookahead: true, inputScaling: 'standardize', tta: 2,
  };
}

export const FAST_BATCH_SIZE = 1024;

/**
 * Epochs and batch size of the models that train with the fast recipe: airbench94's for
 * 'fast'; for 'fast-small', three epochs of half batches (in so short a run, twice the
 * steps gained 3 points: 80.4% against 77.2% at 1024, seed 0).
 */
const FAST_RECIPE_LENGTHS: Readonly<Record<string, { epochs: number; batchSize: number }>> = {
  fast: { epochs: 10, batchSize: FAST_BATCH_SIZE },
  'fast-small': { epochs: 3, batchSize: 512 },
};

/** Whether a model name trains with the fast recipe by default. */
export function usesFastRecipe(model: string): boolean {
  return Object.hasOwn(FAST_RECIPE_LENGTHS, model);
}

/** The settings a model name starts from: the fast recipe's for 'fast' and 'fast-small', the tutorial's otherwise. */
export function recipeFor(model: string, batchSize?: number): RecipeSettings {
  if (!usesFastRecipe(model)) return { ...DEFAULT_RECIPE, batchSize: batchSize ?? DEFAULT_RECIPE.batchSize };
  const length = FAST_RECIPE_LENGTHS[model];
  return fastRecipe(length.epochs, batchSize ?? length.batchSize);
}

/** BatchNorm offsets, which the fast recipe trains at a higher rate. */
const NORM_BIAS = /(^|\/)[^/]*norm[^/]*\/beta$/i;

/** A variable's weight name: tfjs makes names unique in a process by appending _1, _2, ... */
function weightName(variableName: string): string {
  return variableName.replace(/_\d+$/, '');
}
export function optimizerFor(settings: RecipeSettings): SGD | ReturnType<typeof adam> {
  const config = settings.optimizer;
  if (config.kind === 'adam') return adam(settings.learningRate);
  return sgd({
    learningRate: settings.learningRate, momentum: config.momentum, nesterov: config.nesterov, weightDecay: config.weightDecay,
    groups: [{ name: 'norm biases', match: (name: string) => NORM_BIAS.test(weightName(name)), learningRateScale: config.normBiasScale }],
  });
}

/**
 * Trains some weights for the first `epochs` epochs only, as the fast recipe does its
 * whitening layer's bias. A weight that is not trainable gets no gradient, so the backward
 * pass also skips what only it needed (for the whitening bias: the first block's input
 * gradient, 3-12% of a step measured); optimizers leave a weight without a gradient as it is.
 */
export class FreezeAfterEpochs extends Callback {
  constructor(readonly weights: tfl.LayerVariable[], readonly epochs: number) {
    super();
  }

  // Set at every epoch start, so a resumed run gets the right value without saved state.
  override onEpochBegin(epoch: number): void {
    for (const weight of this.weights) weight.trainable = epoch < this.epochs;
  }

  // A saved or further trained model should find its weights as they were built.
  override onTrainEnd(): void {
    for (const weight of this.weights) weight.trainable = true;
  }
}

/** model.compile with the settings' optimizer and loss (convkit's cross-entropy kernels), and accuracy. */
export function compileWith(model: tfl.LayersModel, settings: RecipeSettings): void {
  const loss = categoricalCrossentropy({ labelSmoothing: settings.labelSmoothing });
  model.compile({ optimizer: optimizerFor(settings), loss, metrics: ['accuracy'] });
}

/** Parses --optimizer: adam | sgd[:MOMENTUM[:WEIGHT_DECAY]] (Nesterov). */
export function parseOptimizerSpec(spec: string): OptimizerConfig {
  const [kind, ...args] = spec.split(':');
  const numbers = args.map(Number);
  if (kind === 'adam' && args.length === 0) return { kind };
  if (kind === 'sgd' && args.length <= 2 && numbers.every((n) => Number.isFinite(n) && n >= 0) && (numbers[0] ?? 0) < 1) {
    return { kind, momentum: numbers[0] ?? 0.9, nesterov: true, weightDecay: numbers[1] ?? 0, normBiasScale: 1 };
  }
  throw new ConvkitError(`--optimizer ${spec}: use adam, or sgd[:MOMENTUM[:WEIGHT_DECAY]] with 0 <= MOMENTUM < 1 (e.g. sgd:0.9:0.0005)`);
}
