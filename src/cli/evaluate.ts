import { Command } from 'commander';

// Registers the native backend.
import '..';
import { evaluateSplits, loadRunData, openRun } from '../insight';
import { formatEvaluation } from '../insight/render';

const logToStderr = (line: string) => console.error(line);

/** `convkit evaluate RUN`: accuracy per split, per class, and the error breakdown. */
export function registerEvaluateCommand(program: Command): void {
  program.command('evaluate')
    .description('accuracy on the training, validation and test images, per class, and the confusion matrix')
    .argument('<run>', 'run folder (runs/NAME) or its model.json')
    .option('--data <path>', 'evaluate on this data instead of the data the run was trained on')
    .action(async (runFolder: string, flags: { data?: string }) => {
      const run = await openRun(runFolder, logToStderr);
      const dataset = await loadRunData(run, { data: flags.data, log: logToStderr });
      const splits = [
        { name: 'training', set: dataset.train },
        { name: 'validation', set: dataset.validation },
        ...(dataset.test ? [{ name: 'test', set: dataset.test }] : []),
      ];
      const evaluation = evaluateSplits(run.model, splits, run.classNames, {
        preprocess: run.preprocess,
        onSplit: (name, count) => logToStderr(`evaluating on ${count} ${name} images`),
      });
      console.log(formatEvaluation(evaluation));
    });
}
