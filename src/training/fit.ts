// The training loop: Keras's fit() for image sets, with checkpoints after every epoch that
// a resumed run continues from exactly (same batches, same dropout masks, same optimizer
// state), a stop after the current batch on request (Ctrl-C), and a clean stop on NaN.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as path from 'path';

import type { AugmentOptions } from '../data/augment';
import { Batch, BatchStream } from '../data/batches';
import type { Normalization } from '../data/preprocess';
import type { ImageSet } from '../data/types';
import { ConvkitError } from '../errors';
import { writeFileAtomic } from '../models/atomic_file';
import { setDropoutPosition } from '../models/dropout';
import { ModelMetadata } from '../models/io';
import { Callback, Logs, TrainingContext } from './callbacks';
import { ResumeState, saveTrainingCheckpoint } from './checkpoint';
import { DEFAULT_EVALUATION_BATCH, evaluate, evaluateWithTta } from './evaluate';
import { restoreOptimizer } from './optimizer_state';
import { DEFAULT_RECIPE, compileWith } from './recipe';

export const HISTORY_FILE = 'history.csv';

export interface TrainingData {
  train: ImageSet;
  validation?: ImageSet | null;
}

export interface FitOptions {
  epochs: number;
  /** Default 128, as in the tutorial. */
  batchSize?: number;
  /** Seeds shuffling, augmentation and dropout (weights are seeded when the model is built). */
  seed: number;
  /** How pixels become inputs; record it with the model so predictions match. */
  normalization: Normalization;
  augment?: AugmentOptions | null;
  callbacks?: Callback[];
  /**
   * Folder to checkpoint into after every epoch and on interrupt: the model, optimizer and
   * resume state (see checkpoint.ts), and history.csv.
   */
  checkpointDir?: string;
  /** Saved with every checkpoint: class names, normalisation, training config, ... */
  metadata?: ModelMetadata;
  /** Once aborted, training stops after the current batch and saves a checkpoint. */
  signal?: AbortSignal;
  /**
   * Test-time augmentation level (1 or 2) of an extra score on the validation set after the
   * last epoch: val_loss_tta and val_accuracy_tta in that epoch's logs, and tta_seconds, the
   * time the augmentation added (the plain scores come from the same pass).
   */
  finalTta?: number;
  /** Continue a checkpointed run; the checkpoint's weights must already be in the model. */
  resume?: { state: ResumeState; optimizerData: Uint8Array; source: string };
}

export interface FitResult {
  history: Logs[];
  /** 'interrupted' when the signal stopped it (a checkpoint was saved when checkpointDir is set). */
  stopReason: 'epochs' | 'early-stopping' | 'interrupted';
  /** Where training stands: the next batch it would train. */
  position: { epoch: number; batch: number };
  step: number;
  /** Training throughput of this call, images per second. */
  imagesPerSecond: number;
}

/** The tutorial's compile(): Adam (convkit's fused one), categorical cross-entropy, accuracy. */
export function compileModel(model: tfl.LayersModel, learningRate = DEFAULT_RECIPE.learningRate): void {
  compileWith(model, { ...DEFAULT_RECIPE, learningRate });
}

/** The learning rate lives in a field tfjs does not expose in its types. */
interface WithLearningRate {
  learningRate: number;
}

class Context implements TrainingContext {
  stopTraining = false;
  step: number;

  constructor(readonly model: tfl.LayersModel, readonly epochs: number, readonly stepsPerEpoch: number,
    readonly metadata: ModelMetadata, step: number) {
    this.step = step;
  }

  get learningRate(): number {
    return (this.model.optimizer as unknown as WithLearningRate).learningRate;
  }

  set learningRate(rate: number) {
    (this.model.optimizer as unknown as WithLearningRate).learningRate = rate;
  }
}

function checkCompatible(model: tfl.LayersModel, set: ImageSet): number {
  if (!model.optimizer) throw new ConvkitError('compile the model before training (compileModel(model) or model.compile(...))');
  const [, height, width, channels] = model.inputs[0].shape;
  if (height !== set.height || width !== set.width || channels !== set.channels) {
    throw new ConvkitError(`the model takes ${height}x${width}x${channels} images but the data has ${set.height}x${set.width}x${set.channels}`);
  }
  const outputShape = model.outputs[0].shape;
  if (outputShape.length !== 2) throw new ConvkitError(`the model must output one score per class, its output shape is [${outputShape}]`);
  return outputShape[1] as number;
}

/** State keys must be unique: a second callback of a kind gets "#2". */
function stateKeys(callbacks: Callback[]): Array<string | null> {
  const seen = new Map<string, number>();
  return callbacks.map((callback) => {
    if (!callback.stateKey) return null;
    const count = (seen.get(callback.stateKey) ?? 0) + 1;
    seen.set(callback.stateKey, count);
    return count === 1 ? callback.stateKey : `${callback.stateKey}#${count}`;
  });
}

async function trainStep(model: tfl.LayersModel, batch: Batch, set: ImageSet, classes: number): Promise<{ loss: number; accuracy: number }> {
  const x = tf.tensor4d(batch.x, [batch.count, set.height, set.width, set.channels]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes), 'float32'));
  try {
    const result = await model.trainOnBatch(x, y);
    return Array.isArray(result) ? { loss: result[0], accuracy: result[1] ?? NaN } : { loss: result, accuracy: NaN };
  } finally {
    tf.dispose([x, y]);
  }
}

const HISTORY_COLUMNS = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', 'seconds', 'images_per_second'];

/** history.csv, rewritten whole (atomically) each epoch: the rows of a resumed run continue it. */
function writeHistory(folder: string, history: Logs[]): void {
  const extra = [...new Set(history.flatMap(Object.keys))].filter((k) => !HISTORY_COLUMNS.includes(k)).sort();
  const columns = [...HISTORY_COLUMNS.filter((k) => history.some((row) => k in row)), ...extra];
  const lines = [['epoch', ...columns].join(','), ...history.map((row, i) => [i + 1, ...columns.map((k) => row[k] ?? '')].join(','))];
  writeFileAtomic(path.join(folder, HISTORY_FILE), `${lines.join('\n')}\n`);
}

/** Sums over the batches of an epoch so far. */
type EpochSums = NonNullable<ResumeState['partial']>;

/** One fit() call: the loop's state, and the steps fit() strings together. */
class TrainingLoop {
  readonly stream: BatchStream;
  readonly context: Context;
  readonly history: Logs[];
  position: { epoch: number; batch: number };
  partial: EpochSums | null;
  /** Epochs completed in the last checkpoint written (or resumed from); null before any. */
  savedEpochs: number | null;
  trainedImages = 0;
  trainingSeconds = 0;
  private readonly keys: Array<string | null>;

  constructor(readonly model: tfl.LayersModel, readonly data: TrainingData, readonly options: FitOptions, readonly classes: number) {
    const callbacks = options.callbacks ?? [];
    this.keys = stateKeys(callbacks);
    this.stream = new BatchStream(data.train, {
      batchSize: options.batchSize ?? 128, shuffle: true, seed: options.seed, augment: options.augment ?? null, normalize: options.normalization,
    });
    const resume = options.resume?.state;
    this.context = new Context(model, options.epochs, this.stream.batchesPerEpoch, options.metadata ?? {}, resume?.step ?? 0);
    this.history = resume ? resume.history.map((row) => ({ ...row })) : [];
    this.position = resume ? { ...resume.position } : { epoch: 0, batch: 0 };
    this.partial = resume?.partial ?? null;
    this.savedEpochs = resume ? resume.position.epoch : null;
  }

  get callbacks(): Callback[] {
    return this.options.callbacks ?? [];
  }

  /** Puts back the optimizer and callback state of the checkpoint being resumed. */
  async restore(): Promise<void> {
    const resume = this.options.resume;
    if (!resume) return;
    const optimizer = this.model.optimizer;
    if (optimizer.iterations !== 0) throw new ConvkitError('resume into a freshly compiled model: this one has trained already');
    await restoreOptimizer(this.model, resume.state.optimizer, resume.optimizerData, resume.source);
    if (optimizer.iterations !== resume.state.step) {
      throw new ConvkitError(`${resume.source}: the optimizer state has ${optimizer.iterations} steps, the resume state ${resume.state.step}`);
    }
    this.callbacks.forEach((callback, i) => {
      const key = this.keys[i];
      if (key && resume.state.callbacks[key] != null) callback.setState(resume.state.callbacks[key]);
    });
  }

  /** Trains one batch; returns false when the signal asks to stop (after saving). */
  async trainBatch(epoch: number, index: number, order: Int32Array, sums: EpochSums): Promise<boolean> {
    for (const callback of this.callbacks) await callback.onBatchBegin(index, this.context);
    const started = performance.now();
    const batch = this.stream.batch(epoch, index, order);
    setDropoutPosition(this.model, { seed: this.options.seed, epoch, step: index });
    const { loss, accuracy } = await trainStep(this.model, batch, this.data.train, this.classes);
    if (!Number.isFinite(loss)) throw this.lossError(loss, epoch, index);
    const seconds = (performance.now() - started) / 1000;
    this.context.step += 1;
    sums.lossSum += loss * batch.count;
    sums.accuracySum += accuracy * batch.count;
    sums.images += batch.count;
    sums.seconds += seconds;
    this.trainedImages += batch.count;
    this.trainingSeconds += seconds;
    this.position = { epoch, batch: index + 1 };
    this.partial = sums;
    const logs = { loss: sums.lossSum / sums.images, accuracy: sums.accuracySum / sums.images, images_per_second: sums.images / sums.seconds };
    for (const callback of this.callbacks) await callback.onBatchEnd(index, logs, this.context);
    // tfjs's CPU promises settle as microtasks, so without this the loop never lets
    // timers (the progress bar) or signal handlers (Ctrl-C) run.
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.options.signal?.aborted) return true;
    await this.save(null);
    return false;
  }

  /**
   * Validation batches as large as the training batches (DEFAULT_EVALUATION_BATCH at least):
   * their forward pass then reuses the arrays the training steps left in the backend's
   * output pool. Smaller ones need other sizes, which a pool full of the steps' arrays (the
   * fast recipe at batch 1024) cannot keep, so each batch allocated afresh: 13.5-15.3 s per
   * validation of 5,000 images instead of 5.6-6.2.
   */
  private get validationBatchSize(): number {
    return Math.max(DEFAULT_EVALUATION_BATCH, this.stream.batchSize);
  }

  /** Validates, runs the epoch-end callbacks and saves; returns why training ends, if it does. */
  async finishEpoch(epoch: number, sums: EpochSums): Promise<ResumeState['finished']> {
    const logs: Logs = {
      loss: sums.lossSum / sums.images, accuracy: sums.accuracySum / sums.images, lr: this.context.learningRate,
      seconds: sums.seconds, images_per_second: sums.images / sums.seconds,
    };
    const validation = this.data.validation;
    if (validation && validation.count > 0) {
      const { normalization, finalTta } = this.options;
      if (finalTta && epoch + 1 === this.options.epochs) {
        const { plain, tta, ttaSeconds } = await evaluateWithTta(this.model, validation, normalization, finalTta, this.validationBatchSize);
        Object.assign(logs, { val_loss: plain.loss, val_accuracy: plain.accuracy,
          val_loss_tta: tta.loss, val_accuracy_tta: tta.accuracy, tta_seconds: ttaSeconds });
      } else {
        const { loss, accuracy } = await evaluate(this.model, validation, normalization, this.validationBatchSize);
        Object.assign(logs, { val_loss: loss, val_accuracy: accuracy });
      }
    }
    this.history.push(logs);
    for (const callback of this.callbacks) await callback.onEpochEnd(epoch, logs, this.context);
    this.position = { epoch: epoch + 1, batch: 0 };
    this.partial = null;
    const finished = this.context.stopTraining ? 'early-stopping' : this.position.epoch >= this.options.epochs ? 'epochs' : null;
    await this.save(finished);
    return finished;
  }

  async save(finished: ResumeState['finished']): Promise<void> {
    const folder = this.options.checkpointDir;
    if (!folder) return;
    const callbackStates: Record<string, unknown> = {};
    this.callbacks.forEach((callback, i) => { if (this.keys[i]) callbackStates[this.keys[i]!] = callback.getState(); });
    await saveTrainingCheckpoint(folder, this.model, this.model.optimizer, {
      position: this.position, step: this.context.step, random: { seed: this.options.seed, ...this.position }, partial: this.partial,
      history: this.history, callbacks: callbackStates, finished,
    }, this.options.metadata ?? {});
    writeHistory(folder, this.history);
    this.savedEpochs = this.position.epoch;
  }

  result(stopReason: FitResult['stopReason']): FitResult {
    return { history: this.history, stopReason, position: this.position, step: this.context.step,
      imagesPerSecond: this.trainedImages / Math.max(this.trainingSeconds, 1e-9) };
  }

  private lossError(loss: number, epoch: number, index: number): ConvkitError {
    const folder = this.options.checkpointDir;
    const kept = folder
      ? `, and the last good checkpoint ${this.savedEpochs === null ? '(none saved yet)' : `(after epoch ${this.savedEpochs})`} stays in ${folder}`
      : '';
    return new ConvkitError(`the loss became ${loss} at epoch ${epoch + 1}, batch ${index + 1} of ${this.stream.batchesPerEpoch}; ` +
      `training stopped${kept} (try a lower learning rate)`);
  }
}

/**
 * Trains a compiled model on `data.train` for `options.epochs` epochs (from where
 * `options.resume` left off), validating on `data.validation` after each epoch.
 */
export async function fit(model: tfl.LayersModel, data: TrainingData, options: FitOptions): Promise<FitResult> {
  const loop = new TrainingLoop(model, data, options, checkCompatible(model, data.train));
  await loop.restore();
  const { context, stream } = loop;
  try {
    for (const callback of loop.callbacks) await callback.onTrainBegin(context);
    while (loop.position.epoch < options.epochs && !context.stopTraining) {
      const { epoch, batch: first } = loop.position;
      const sums = loop.partial ?? { lossSum: 0, accuracySum: 0, images: 0, seconds: 0 };
      for (const callback of loop.callbacks) await callback.onEpochBegin(epoch, context);
      const order = stream.order(epoch);
      for (let index = first; index < stream.batchesPerEpoch; index++) {
        if (!(await loop.trainBatch(epoch, index, order, sums))) return loop.result('interrupted');
      }
      const finished = await loop.finishEpoch(epoch, sums);
      if (options.signal?.aborted && !finished) return loop.result('interrupted');
    }
    return loop.result(context.stopTraining ? 'early-stopping' : 'epochs');
  } finally {
    for (const callback of loop.callbacks) await callback.onTrainEnd(context);
  }
}
