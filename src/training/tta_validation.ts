// The final validation with test-time augmentation: after the last epoch, the validation
// set is scored again on mirrored and shifted copies (see evaluate.ts), and the accuracy
// goes into that epoch's logs (val_accuracy_tta, val_loss_tta) and so into history.csv;
// tta_seconds says how long it took, so the plain accuracy's milestone does not count it.
import type { Normalization } from '../data/preprocess';
import type { ImageSet } from '../data/types';
import { Callback, Logs, TrainingContext } from './callbacks';
import { evaluate } from './evaluate';

export class FinalTtaValidation extends Callback {
  constructor(readonly validation: ImageSet, readonly normalization: Normalization, readonly level: number) {
    super();
  }

  override async onEpochEnd(epoch: number, logs: Logs, context: TrainingContext): Promise<void> {
    if (epoch + 1 !== context.epochs) return;
    const started = performance.now();
    const result = await evaluate(context.model, this.validation, this.normalization, undefined, { tta: this.level });
    const seconds = (performance.now() - started) / 1000;
    Object.assign(logs, { val_loss_tta: result.loss, val_accuracy_tta: result.accuracy, tta_seconds: seconds });
  }
}
