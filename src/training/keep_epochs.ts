// `convkit train --keep-epochs`: a copy of the model after every epoch, in
// RUN/epochs/epoch-NNN/, so the dashboard's timeline can replay how training went.
import * as path from 'path';

import { saveModel } from '../models/io';
import { Callback, Logs, TrainingContext } from './callbacks';

/** The folder inside a run that holds one model folder per epoch (epochs/epoch-003/model.json). */
export const KEPT_EPOCHS_FOLDER = 'epochs';

export function keptEpochFolder(run: string, epoch: number): string {
  return path.join(run, KEPT_EPOCHS_FOLDER, `epoch-${String(epoch).padStart(3, '0')}`);
}

export class KeepEpochs extends Callback {
  constructor(readonly folder: string) {
    super();
  }

  override async onEpochEnd(epoch: number, logs: Logs, context: TrainingContext): Promise<void> {
    await saveModel(context.model, keptEpochFolder(this.folder, epoch + 1), { ...context.metadata, epoch: epoch + 1, metrics: logs });
  }
}
