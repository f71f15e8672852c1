// Time to accuracy: the wall-clock second at which validation accuracy first reached each
// threshold, counted from the start of the process (so data loading counts, as in the
// speed-run papers) and carried across a resumed run.
import { ConvkitError } from '../errors';
import { Callback, Logs, TrainingContext } from './callbacks';

export interface Milestone {
  threshold: number;
  /** 1-based epoch whose validation first reached the threshold. */
  epoch: number;
  /** Wall seconds since the run started, including data loading and earlier sessions of a resumed run. */
  seconds: number;
  /** The metric that reached it: 'val_accuracy', or 'val_accuracy_tta' when only test-time augmentation did. */
  metric: string;
}

export interface TimeToAccuracyArgs {
  /** Accuracies to time, as fractions; default 0.8, 0.9, 0.93, 0.94. */
  thresholds?: number[];
  /** Where each reached milestone is announced; default console.log. */
  log?: (line: string) => void;
  /** Seconds since this session started; default the process's uptime (tests pass a fake). */
  clock?: () => number;
}

export const DEFAULT_THRESHOLDS = [0.8, 0.9, 0.93, 0.94];

/** Adds `wall_seconds` to each epoch's logs and records the first epoch at or above each threshold. */
export class TimeToAccuracy extends Callback {
  override readonly stateKey = 'timeToAccuracy';
  readonly thresholds: number[];
  readonly milestones: Milestone[] = [];
  /** Wall seconds of earlier sessions of this run (from a resumed checkpoint). */
  private earlierSeconds = 0;
  /** Process time at which this session's last checkpointed epoch ended. */
  private lastEpochEnd = 0;
  private readonly log: (line: string) => void;
  private readonly clock: () => number;

  constructor(args: TimeToAccuracyArgs = {}) {
    super();
    this.thresholds = [...(args.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
    this.log = args.log ?? ((line) => console.log(line));
    this.clock = args.clock ?? (() => process.uptime());
  }

  /** Wall seconds of the run so far. */
  elapsed(): number {
    return this.earlierSeconds + this.clock();
  }

  override onEpochEnd(epoch: number, logs: Logs, _context: TrainingContext): void {
    const seconds = this.elapsed();
    logs.wall_seconds = seconds;
    this.lastEpochEnd = this.clock();
    for (const threshold of this.thresholds) {
      if (this.milestones.some((m) => m.threshold === threshold)) continue;
      const metric = ['val_accuracy', 'val_accuracy_tta'].find((key) => (logs[key] ?? -1) >= threshold);
      if (!metric) continue;
      // The plain accuracy was known before the final test-time augmentation ran.
      const reachedAt = metric === 'val_accuracy' ? seconds - (logs.tta_seconds ?? 0) : seconds;
      this.milestones.push({ threshold, epoch: epoch + 1, seconds: reachedAt, metric });
      this.log(`reached ${formatPercent(threshold)} validation accuracy${metric === 'val_accuracy' ? '' : ' (with TTA)'} ` +
        `at epoch ${epoch + 1}, ${reachedAt.toFixed(1)} s after the start`);
    }
  }

  /** The table the CLI prints at the end: one line per threshold, reached or not. */
  summary(): string {
    return this.thresholds.map((threshold) => {
      const m = this.milestones.find((candidate) => candidate.threshold === threshold);
      return `  ${formatPercent(threshold)}: ${m ? `${m.seconds.toFixed(1)} s (epoch ${m.epoch}${m.metric === 'val_accuracy' ? '' : ', TTA'})` : 'not reached'}`;
    }).join('\n');
  }

  /** Saved at a checkpoint: the milestones, and the wall time up to the end of the last epoch. */
  override getState(): unknown {
    return { milestones: this.milestones, seconds: this.earlierSeconds + this.lastEpochEnd };
  }

  override setState(state: unknown): void {
    const saved = state as { milestones?: unknown; seconds?: unknown } | null;
    const milestones = saved?.milestones;
    if (typeof saved?.seconds !== 'number' || !Array.isArray(milestones) || !milestones.every(isMilestone)) {
      throw new ConvkitError('the saved state of TimeToAccuracy is damaged');
    }
    // This session's clock started with the process, so its data loading counts too.
    this.earlierSeconds = saved.seconds;
    this.milestones.splice(0, this.milestones.length, ...milestones);
  }
}

function isMilestone(value: unknown): value is Milestone {
  const m = value as Partial<Milestone> | null;
  return !!m && typeof m.threshold === 'number' && typeof m.epoch === 'number' && typeof m.seconds === 'number' &&
    typeof m.metric === 'string';
}

function formatPercent(fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`;
}
