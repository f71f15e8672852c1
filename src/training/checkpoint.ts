// Training checkpoints: the model folder of models/io.ts plus two files that let
// `convkit train --resume` continue exactly where a run stopped:
//
//   resume-NNNNNN.json    ResumeState below: position, step count, random state, callback
//                         state, history, and the optimizer's spec
//   optimizer-NNNNNN.bin  the optimizer's tensors (Adam: step, first moments, second moments)
//
// Both are committed together with the weights by model.json (see io.ts), so a crash
// leaves either the old checkpoint or the new one, never a mix.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { ConvkitError } from '../errors';
import { LoadOptions, ModelMetadata, loadCheckpoint, saveModel } from '../models/io';
import { Logs } from './callbacks';
import { OptimizerSpec, captureOptimizer } from './optimizer_state';

export const RESUME_VERSION = 1;

/** Everything about a run that is not in the weights. */
export interface ResumeState {
  version: number;
  /** The next batch to train: batch == 0 means the epoch has not started. */
  position: { epoch: number; batch: number };
  /** Optimizer steps taken (equals the optimizer's own count). */
  step: number;
  /**
   * The random state. Every random draw of convkit's training (shuffling, augmentation,
   * dropout masks) comes from a generator keyed by (seed, stream, epoch, batch), so the
   * seed and the position above are the whole state: nothing random is carried over.
   */
  random: { seed: number; epoch: number; batch: number };
  /** Sums over the batches of an unfinished epoch, so its epoch line comes out the same. */
  partial: { lossSum: number; accuracySum: number; images: number; seconds: number } | null;
  /** One entry per finished epoch. */
  history: Logs[];
  /** getState() of each callback with a stateKey. */
  callbacks: Record<string, unknown>;
  optimizer: OptimizerSpec;
  /** Why training ended, once it has: 'epochs' or 'early-stopping'. */
  finished: 'epochs' | 'early-stopping' | null;
}

export interface TrainingCheckpoint {
  model: tfl.Sequential;
  metadata: ModelMetadata;
  state: ResumeState;
  optimizerData: Uint8Array;
  /** The model.json read (model.previous.json when the last save was damaged). */
  file: string;
}

// JSON has no Infinity or NaN, and a best value starts at Infinity.
const NON_FINITE = '$nonFinite';

function encode(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { [NON_FINITE]: String(value) } : value;
}

function decode(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && NON_FINITE in value) return Number((value as Record<string, string>)[NON_FINITE]);
  return value;
}

/** Saves the model, optimizer and resume state into `folder` as one checkpoint. */
export async function saveTrainingCheckpoint(folder: string, model: tfl.LayersModel, optimizer: tf.Optimizer,
  state: Omit<ResumeState, 'optimizer' | 'version'>, metadata: ModelMetadata): Promise<void> {
  const { spec, data } = await captureOptimizer(optimizer);
  const resume: ResumeState = { version: RESUME_VERSION, ...state, optimizer: spec };
  // Epochs completed: the epoch in progress, if any, is not.
  await saveModel(model, folder, { ...metadata, epoch: state.position.epoch, metrics: state.history[state.history.length - 1] }, {
    'resume.json': new TextEncoder().encode(JSON.stringify(resume, encode, 1)),
    'optimizer.bin': data,
  });
}

function checkResumeState(value: unknown, source: string): ResumeState {
  const state = value as Partial<ResumeState> | null;
  const whole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!state || typeof state !== 'object' || state.version !== RESUME_VERSION || !state.position ||
    !whole(state.position.epoch) || !whole(state.position.batch) || !whole(state.step) || !state.random ||
    !Number.isSafeInteger(state.random.seed) || !Array.isArray(state.history) || typeof state.callbacks !== 'object' ||
    !state.optimizer || !Array.isArray(state.optimizer.weights)) {
    throw new ConvkitError(`${source}: the resume state is not one this convkit reads`);
  }
  return state as ResumeState;
}

/** Loads a training checkpoint (falling back to the previous one when the last is damaged). */
export async function loadTrainingCheckpoint(folder: string, options: LoadOptions = {}): Promise<TrainingCheckpoint> {
  const loaded = await loadCheckpoint(folder, options);
  const resume = loaded.extras.get('resume');
  const optimizerData = loaded.extras.get('optimizer');
  if (!resume || !optimizerData) {
    loaded.model.dispose();
    throw new ConvkitError(`${loaded.file} holds a model but no training state to resume from (it was saved by saveModel, not by training)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(resume), decode);
  } catch {
    parsed = null;
  }
  const state = checkResumeState(parsed, loaded.file);
  return { model: loaded.model, metadata: loaded.metadata, state, optimizerData, file: loaded.file };
}
