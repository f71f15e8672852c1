// The compute a run takes, epoch by epoch: each epoch's training FLOPs (from the layer shapes
// and which weights train in that epoch) go into its logs as `training_flops`, and so into
// history.csv, from which a finished or resumed run adds them up.
import { modelFlops } from '../models/flops';
import { Callback, Logs, TrainingContext } from './callbacks';

export class TrainingCompute extends Callback {
  private flopsPerImage = 0;

  /** `imagesPerEpoch`: the training images one epoch goes through. */
  constructor(readonly imagesPerEpoch: number) {
    super();
  }

  // Weights frozen at an epoch's start (FreezeAfterEpochs, listed before this) shorten its backward pass.
  override onEpochBegin(_epoch: number, context: TrainingContext): void {
    this.flopsPerImage = modelFlops(context.model).training;
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    logs.training_flops = this.flopsPerImage * this.imagesPerEpoch;
  }
}
