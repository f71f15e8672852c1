// How a training process tells the dashboard what happens between epochs: a callback that
// rewrites RUN/live.json (atomically, about once a second) with the batch position, speed
// and time left. The file is the whole protocol, so a dashboard started in the same
// process or a `convkit serve` already running elsewhere picks it up alike.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { writeFileAtomic } from '../models/atomic_file';
import { Callback, Logs, TrainingContext } from '../training/callbacks';
import type { LiveProgress } from './api_types';

export const LIVE_FILE = 'live.json';

/** live.json: the progress plus who writes it, so a dead writer can be told from a slow one. */
export interface LiveFile extends LiveProgress {
  version: 1;
  state: 'training' | 'ended';
  pid: number;
  hostname: string;
  startedAt: string;
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Pass to training's callbacks (`options.callbacks`) to feed the dashboard's live view. */
export class DashboardProgress extends Callback {
  private readonly file: string;
  private readonly intervalMs: number;
  private started = 0;
  private batchesThisSession = 0;
  private lastWrite = 0;
  private epoch = 0;
  private batch = 0;
  private logs: Logs = {};
  private startedAt = new Date().toISOString();

  constructor(readonly folder: string, options: { intervalMs?: number } = {}) {
    super();
    this.file = path.join(folder, LIVE_FILE);
    this.intervalMs = options.intervalMs ?? 1000;
  }

  override onTrainBegin(context: TrainingContext): void {
    this.started = performance.now();
    this.startedAt = new Date().toISOString();
    this.write('training', context);
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.batch = 0;
  }

  override onBatchEnd(batch: number, logs: Logs, context: TrainingContext): void {
    this.batch = batch + 1;
    this.batchesThisSession += 1;
    this.logs = logs;
    if (performance.now() - this.lastWrite >= this.intervalMs) this.write('training', context);
  }

  override onEpochEnd(_epoch: number, logs: Logs, context: TrainingContext): void {
    this.batch = context.stepsPerEpoch;
    this.logs = logs;
    this.write('training', context);
  }

  override onTrainEnd(context: TrainingContext): void {
    this.write('ended', context);
  }

  /** Time left from the pace so far, validation and saving included (they take wall time too). */
  private etaSeconds(context: TrainingContext): number | null {
    if (this.batchesThisSession === 0) return null;
    const secondsPerBatch = (performance.now() - this.started) / 1000 / this.batchesThisSession;
    const remaining = (context.epochs - this.epoch - 1) * context.stepsPerEpoch + (context.stepsPerEpoch - this.batch);
    return Math.max(0, remaining) * secondsPerBatch;
  }

  private write(state: LiveFile['state'], context: TrainingContext): void {
    this.lastWrite = performance.now();
    const live: LiveFile = {
      version: 1, state, pid: process.pid, hostname: os.hostname(), startedAt: this.startedAt, updatedAt: new Date().toISOString(),
      epoch: this.epoch, epochs: context.epochs, batch: this.batch, batches: context.stepsPerEpoch,
      imagesPerSecond: finiteOrNull(this.logs.images_per_second), etaSeconds: state === 'ended' ? 0 : this.etaSeconds(context),
      loss: finiteOrNull(this.logs.loss), accuracy: finiteOrNull(this.logs.accuracy),
    };
    try {
      if (fs.existsSync(this.folder)) writeFileAtomic(this.file, JSON.stringify(live));
    } catch {
      // The dashboard is a spectator: a full disk or a removed folder must not stop training.
    }
  }
}

/** live.json of a run folder when it is present and well formed. */
export function readLiveFile(folder: string): LiveFile | null {
  try {
    const live = JSON.parse(fs.readFileSync(path.join(folder, LIVE_FILE), 'utf8')) as Partial<LiveFile>;
    if (live.version !== 1 || typeof live.updatedAt !== 'string' || typeof live.epoch !== 'number') return null;
    return live as LiveFile;
  } catch {
    return null;
  }
}

/** Whether the process that wrote live.json still runs (unknowable for another machine's). */
export function writerAlive(live: LiveFile): boolean | undefined {
  if (live.hostname !== os.hostname()) return undefined;
  try {
    process.kill(live.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
