import { Command, Option } from 'commander';

// Registers the native backend.
import '..';
import { TTA_DESCRIPTIONS, TtaLevel, evaluateSplits, loadRunData, openRun } from '../insight';
import { ConvkitError } from '../errors';
import { formatEvaluation } from '../insight/render';
import { TTA_HELP, ttaLevel } from './arguments';

const logToStderr = (line: string) => console.error(line);

/** `convkit evaluate RUN`: accuracy per split, per class, and the error breakdown. */
export function registerEvaluateCommand(program: Command): void {
  program.command('evaluate')
    .description('accuracy on the training, validation and test images, per class, and the confusion matrix')
    .argument('<run>', 'run folder (runs/NAME) or its model.json')
    .option('--data <path>', 'evaluate on this data instead of the data the run was trained on')
    .option('--tta <level>', TTA_HELP, ttaLevel, 0)
    .addOption(new Option('--split <name>', 'the images to score (the confusion matrix is of the last one)')
      .choices(['training', 'validation', 'test', 'all']).default('all'))
    .action(async (runFolder: string, flags: { data?: string; tta: TtaLevel; split: string }) => {
      const run = await openRun(runFolder, logToStderr);
      const dataset = await loadRunData(run, { data: flags.data, log: logToStderr });
      const splits = [
        { name: 'training', set: dataset.train },
        { name: 'validation', set: dataset.validation },
        ...(dataset.test ? [{ name: 'test', set: dataset.test }] : []),
      ].filter((split) => flags.split === 'all' || split.name === flags.split);
      if (splits.length === 0) throw new ConvkitError(`--split ${flags.split}: the run's data has no ${flags.split} images`);
      const augmentation = flags.tta > 0 ? ` (test-time augmentation: ${TTA_DESCRIPTIONS[flags.tta]})` : '';
      const evaluation = evaluateSplits(run.model, splits, run.classNames, {
        preprocess: run.preprocess,
        tta: flags.tta,
        onSplit: (name, count) => logToStderr(`evaluating on ${count} ${name} images${augmentation}`),
      });
      console.log(formatEvaluation(evaluation));
    });
}
