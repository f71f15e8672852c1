// What a person watches while training runs: a progress bar per epoch (on a terminal) and
// one Keras-style line per epoch with the validation metrics.
import * as cliProgress from 'cli-progress';

import { Callback, Logs, TrainingContext } from './callbacks';

/** "Epoch 3/25 - 352/352 batches - 141s - 320 img/s - loss: 1.2345 - accuracy: 0.5678 - val_loss: ..." */
export function formatEpochLine(epoch: number, epochs: number, logs: Logs): string {
  const parts = [`Epoch ${epoch + 1}/${epochs}`, `${Math.round(logs.seconds ?? 0)}s`, `${Math.round(logs.images_per_second ?? 0)} img/s`];
  for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
    if (logs[key] !== undefined) parts.push(`${key}: ${logs[key].toFixed(4)}`);
  }
  if (logs.lr !== undefined) parts.push(`lr: ${logs.lr.toPrecision(3)}`);
  return parts.join(' - ');
}

export interface ProgressBarArgs {
  /** Where the Keras-style epoch lines go; default console.log. */
  log?: (line: string) => void;
  /** Where the bar is drawn; default stderr. It is drawn only on a terminal. */
  stream?: NodeJS.WriteStream;
}

/** cli-progress bar with batches, images/s, loss, accuracy and ETA, then the epoch line. */
export class ProgressBar extends Callback {
  private bar: cliProgress.SingleBar | null = null;
  private readonly log: (line: string) => void;
  private readonly stream: NodeJS.WriteStream;
  private epoch = 0;

  constructor(args: ProgressBarArgs = {}) {
    super();
    this.log = args.log ?? ((line) => console.log(line));
    this.stream = args.stream ?? process.stderr;
  }

  override onEpochBegin(epoch: number, context: TrainingContext): void {
    this.epoch = epoch;
    if (!this.stream.isTTY) return;
    this.bar = new cliProgress.SingleBar({
      stream: this.stream,
      format: `Epoch ${epoch + 1}/${context.epochs} [{bar}] {value}/{total} batches | {speed} img/s | loss {loss} | acc {accuracy} | ETA {eta_formatted}`,
      barsize: 24,
      clearOnComplete: true,
      hideCursor: true,
      etaBuffer: 20,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(context.stepsPerEpoch, 0, { speed: '-', loss: '-', accuracy: '-' });
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    this.bar?.update(batch + 1, {
      speed: Math.round(logs.images_per_second ?? 0),
      loss: (logs.loss ?? NaN).toFixed(4),
      accuracy: (logs.accuracy ?? NaN).toFixed(4),
    });
  }

  override onEpochEnd(_epoch: number, logs: Logs, context: TrainingContext): void {
    this.stopBar();
    this.log(formatEpochLine(this.epoch, context.epochs, logs));
  }

  override onTrainEnd(): void {
    this.stopBar();
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
