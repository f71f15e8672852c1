// Keras-style callbacks: small classes on a base whose hooks do nothing. A callback that
// keeps state across epochs (best value so far, patience used) returns it from getState,
// so a checkpoint can save it and a resumed run continue with it.
import * as tfl from '@tensorflow/tfjs-layers';

import { ConvkitError } from '../errors';
import { ModelMetadata, saveModel } from '../models/io';
import { Schedule } from './schedules';

/** Metrics of a batch or an epoch: loss, accuracy, val_loss, val_accuracy, lr, ... */
export type Logs = Record<string, number>;

/** What callbacks see and may change while training runs. */
export interface TrainingContext {
  readonly model: tfl.LayersModel;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Optimizer steps taken so far. */
  readonly step: number;
  /** The optimizer's current rate; assigning it changes the rate from the next batch on. */
  learningRate: number;
  /** Set to end training after the current epoch. */
  stopTraining: boolean;
  /** Metadata saved with any model a callback writes (class names, normalisation, ...). */
  readonly metadata: ModelMetadata;
}

export abstract class Callback {
  /** Where this callback's state goes in a checkpoint; null for callbacks without state. */
  readonly stateKey: string | null = null;
  onTrainBegin(_context: TrainingContext): void | Promise<void> {}
  onEpochBegin(_epoch: number, _context: TrainingContext): void | Promise<void> {}
  onBatchBegin(_batch: number, _context: TrainingContext): void | Promise<void> {}
  onBatchEnd(_batch: number, _logs: Logs, _context: TrainingContext): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs: Logs, _context: TrainingContext): void | Promise<void> {}
  /** Also runs when training stops on an error or an interrupt. */
  onTrainEnd(_context: TrainingContext): void | Promise<void> {}
  getState(): unknown {
    return null;
  }
  setState(_state: unknown): void {}
}

export interface MonitorArgs {
  /** The epoch metric to watch; default 'val_loss'. */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies; 'auto' guesses from the name. */
  mode?: 'min' | 'max' | 'auto';
  /** Smallest change that counts as an improvement. */
  minDelta?: number;
}

/** The shared part of EarlyStopping and ModelCheckpoint: a metric and its best value. */
export abstract class MonitorCallback extends Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  best: number;

  constructor(args: MonitorArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    const mode = args.mode ?? 'auto';
    this.mode = mode === 'auto' ? (/acc/.test(this.monitor) ? 'max' : 'min') : mode;
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** The monitored value of `logs`, or an error naming the metrics there are. */
  protected current(logs: Logs): number {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new ConvkitError(`${this.constructor.name} monitors '${this.monitor}', which training does not report ` +
        `(it reports ${Object.keys(logs).join(', ')}; validation metrics need validation data)`);
    }
    return value;
  }

  /** A number from a saved state, which a damaged checkpoint may lack. */
  protected savedNumber(state: unknown, key: string): number {
    const value = (state as Record<string, unknown> | null)?.[key];
    if (typeof value !== 'number') throw new ConvkitError(`the saved state of ${this.constructor.name} lacks a number '${key}'`);
    return value;
  }

  protected isImprovement(value: number): boolean {
    return this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
  }
}

export interface EarlyStoppingArgs extends MonitorArgs {
  /** Epochs without improvement before training stops. */
  patience?: number;
}

/** Stops training when the monitored metric has not improved for `patience` epochs. */
export class EarlyStopping extends MonitorCallback {
  override readonly stateKey = 'earlyStopping';
  readonly patience: number;
  /** Epochs since the last improvement. */
  wait = 0;
  stoppedEpoch: number | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    super(args);
    this.patience = args.patience ?? 0;
  }

  override onEpochEnd(epoch: number, logs: Logs, context: TrainingContext): void {
    const value = this.current(logs);
    if (this.isImprovement(value)) {
      this.best = value;
      this.wait = 0;
      return;
    }
    this.wait += 1;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      context.stopTraining = true;
    }
  }

  override getState(): unknown {
    return { best: this.best, wait: this.wait, stoppedEpoch: this.stoppedEpoch };
  }

  override setState(state: unknown): void {
    this.best = this.savedNumber(state, 'best');
    this.wait = this.savedNumber(state, 'wait');
    const stopped = (state as { stoppedEpoch?: unknown }).stoppedEpoch;
    this.stoppedEpoch = typeof stopped === 'number' ? stopped : null;
  }
}

export interface ModelCheckpointArgs extends MonitorArgs {
  /** Save only when the monitored metric improves (keeps the best model); default true. */
  saveBestOnly?: boolean;
}

/** Saves the model into `folder` after an epoch (by default only when it is the best so far). */
export class ModelCheckpoint extends MonitorCallback {
  override readonly stateKey = 'modelCheckpoint';
  readonly saveBestOnly: boolean;

  constructor(readonly folder: string, args: ModelCheckpointArgs = {}) {
    super(args);
    this.saveBestOnly = args.saveBestOnly ?? true;
  }

  override async onEpochEnd(epoch: number, logs: Logs, context: TrainingContext): Promise<void> {
    const value = this.current(logs);
    if (this.saveBestOnly && !this.isImprovement(value)) return;
    if (this.isImprovement(value)) this.best = value;
    await saveModel(context.model, this.folder, { ...context.metadata, epoch: epoch + 1, metrics: logs });
  }

  override getState(): unknown {
    return { best: this.best };
  }

  override setState(state: unknown): void {
    this.best = this.savedNumber(state, 'best');
  }
}

/** Sets the optimizer's learning rate before every batch from a schedule (see schedules.ts). */
export class LearningRateScheduler extends Callback {
  override readonly stateKey = 'learningRateScheduler';
  private position = { epoch: 0, batch: 0 };
  private epoch = 0;

  constructor(readonly schedule: Schedule) {
    super();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onBatchBegin(batch: number, context: TrainingContext): void {
    this.position = { epoch: this.epoch, batch };
    context.learningRate = this.schedule({ ...this.position, stepsPerEpoch: context.stepsPerEpoch, epochs: context.epochs });
  }

  /** The schedule is a function of the position, so the position is all it needs back. */
  override getState(): unknown {
    return { ...this.position };
  }

  override setState(state: unknown): void {
    const { epoch, batch } = (state ?? {}) as { epoch?: unknown; batch?: unknown };
    if (typeof epoch === 'number' && typeof batch === 'number') this.position = { epoch, batch };
  }
}
