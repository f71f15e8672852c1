import { Command } from 'commander';
import * as path from 'path';

import { AUGMENT_SPEC_HELP } from '../data/augment';
// Registers the native backend.
import '..';
import { ConvkitError } from '../errors';
import { Callback, DEFAULT_CONFIG, KeepEpochs, RunResult, TrainingConfig, parseScheduleSpec, randomSeed, resume, train } from '../training';
import { parseOptimizerSpec, recipeFor } from '../training/recipe';
import { DEFAULT_PORT, Dashboard, DashboardProgress, startDashboard } from '../web';
import { TTA_HELP, fraction, portNumber, positiveNumber, ttaLevel, wholeNumber } from './arguments';

/** The fast recipe's defaults, for the help text. */
const FAST = recipeFor('fast');
const FAST_SMALL = recipeFor('fast-small');

/** The flags that shape a new run; with --resume they come from the run folder instead. */
const RUN_FLAGS = ['model', 'batchSize', 'lr', 'schedule', 'patience', 'augment', 'val', 'seed', 'data', 'limit', 'weights', 'out',
  'optimizer', 'labelSmoothing', 'lookahead', 'tta'];

function defaultFolder(model: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join('runs', `${path.basename(model, '.json')}-${stamp}`);
}

/** The run's settings: the flags given, else the model's recipe (the fast recipe for --model fast and fast-small, else the tutorial's). */
function configFromFlags(flags: Record<string, unknown>): TrainingConfig {
  const model = flags.model as string;
  const recipe = recipeFor(model, flags.batchSize as number | undefined);
  return {
    ...DEFAULT_CONFIG,
    ...recipe,
    model,
    weights: (flags.weights as string | undefined) ?? null,
    epochs: (flags.epochs as number | undefined) ?? recipe.epochs,
    learningRate: (flags.lr as number | undefined) ?? recipe.learningRate,
    schedule: flags.schedule ? parseScheduleSpec(flags.schedule as string) : recipe.schedule,
    patience: (flags.patience as number | undefined) ?? null,
    // A bare --augment means the tutorial's ImageDataGenerator settings.
    augment: flags.augment === true ? 'tutorial' : (flags.augment as string | undefined) ?? recipe.augment,
    optimizer: flags.optimizer ? parseOptimizerSpec(flags.optimizer as string) : recipe.optimizer,
    labelSmoothing: (flags.labelSmoothing as number | undefined) ?? recipe.labelSmoothing,
    lookahead: (flags.lookahead as boolean | undefined) ?? recipe.lookahead,
    tta: (flags.tta as number | undefined) ?? recipe.tta,
    validation: (flags.val as number | undefined) ?? null,
    limit: (flags.limit as number | undefined) ?? null,
    data: (flags.data as string | undefined) ?? null,
    seed: (flags.seed as number | undefined) ?? randomSeed(),
  };
}

function report(result: RunResult): string {
  const last = result.history[result.history.length - 1];
  const where = `${result.folder} (best model in ${path.join(result.folder, 'best')})`;
  const speed = `${Math.round(result.imagesPerSecond)} images/s`;
  if (result.stopReason === 'interrupted') {
    return `interrupted: saved ${result.folder} at epoch ${result.position.epoch + 1}, batch ${result.position.batch}; ` +
      `continue with: convkit train --resume ${result.folder}`;
  }
  const how = result.stopReason === 'early-stopping' ? 'stopped early' : 'finished';
  const tta = last?.val_accuracy_tta !== undefined ? ` (with test-time augmentation ${last.val_accuracy_tta.toFixed(4)})` : '';
  const metrics = last ? `, val_accuracy ${last.val_accuracy?.toFixed(4) ?? '-'}${tta}` : '';
  return `${how} after epoch ${result.position.epoch}${metrics}, ${speed}; saved in ${where}`;
}

/** `convkit train`: the tutorial's models (or a model file) on CIFAR-10 or an image folder. */
export function registerTrainCommand(program: Command): void {
  program.command('train')
    .description('train a model, saving a resumable checkpoint after every epoch (Ctrl-C saves and stops)')
    .option('--model <name|file>', 'basic, improved (the tutorial\'s), fast (the airbench recipe: its own defaults for the flags ' +
      `below), fast-small (its network with fewer filters: ${FAST_SMALL.epochs} epochs of ${FAST_SMALL.batchSize}), ` +
      'or a model .json (Keras to_json or convkit)', 'basic')
    .option('--epochs <n>', `epochs to train (default ${DEFAULT_CONFIG.epochs}, fast: ${FAST.epochs}; with --resume: the new total)`,
      wholeNumber(1))
    .option('--batch-size <n>', `images per batch (default ${DEFAULT_CONFIG.batchSize}, fast: ${FAST.batchSize})`, wholeNumber(1))
    .option('--lr <rate>', `learning rate (default ${DEFAULT_CONFIG.learningRate} for Adam, fast: ${FAST.learningRate.toPrecision(3)} ` +
      'for its SGD at batch 1024; with --schedule: the base or peak rate)', positiveNumber)
    .option('--schedule <spec>', 'learning-rate schedule: constant, step[:EVERY[:FACTOR]], cosine, one-cycle[:WARMUP], ' +
      'triangle[:PEAK_AT[:START[:END]]] (default constant, fast: triangle:0.23:0.2:0.07)')
    .option('--optimizer <spec>', 'adam, or sgd[:MOMENTUM[:WEIGHT_DECAY]] (Nesterov, weight decay per step; default adam, fast: its SGD)')
    .option('--label-smoothing <f>', 'label smoothing of the cross-entropy (default 0, fast: 0.2)', fraction)
    .option('--lookahead', 'average the weights (EMA copied back every 5 steps; default off, fast: on)')
    .option('--tta <level>', `${TTA_HELP}, of the final validation (default 0, fast: 2)`, ttaLevel)
    .option('--patience <n>', 'stop early after N epochs without a better val_loss', wholeNumber(0))
    .option('--augment [spec]', `augment training images (default none, fast: airbench; a bare --augment means tutorial): ${AUGMENT_SPEC_HELP}`)
    .option('--val <n>', 'validation images held out of training (default 5000, or a tenth of fewer images)', wholeNumber(0))
    .option('--seed <n>', 'seed of weights, split, shuffling, augmentation and dropout (default: random, recorded)', wholeNumber(0))
    .option('--data <path>', 'CIFAR-10 binary folder or .tar.gz, or a folder (or .tar.gz) of class folders (default: env CONVKIT_DATA, ' +
      'else CIFAR-10 from the cache or the web, else ../shared/data/cifar10-jpeg-train.tar.gz)')
    .option('--limit <n>', 'train on the first N images only, for a quick try', wholeNumber(1))
    .option('--weights <file.h5>', 'start from Keras HDF5 weights (model.save_weights layout)')
    .option('--out <folder>', 'run folder (default runs/MODEL-DATE-TIME)')
    .option('--resume <folder>', 'continue the run saved in this folder at its next batch')
    .option('--keep-epochs', 'also keep a copy of the model after every epoch (RUN/epochs/epoch-NNN), for the dashboard timeline')
    .option('--dashboard [port]', `serve the live dashboard for the runs folder on 127.0.0.1 (port ${DEFAULT_PORT}), ` +
      'or report to the one already running there', portNumber)
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const given = RUN_FLAGS.filter((name) => command.getOptionValueSource(name) === 'cli');
      if (flags.resume && given.length > 0) {
        throw new ConvkitError(`--resume takes the run's settings from ${flags.resume as string}; only --epochs may change ` +
          `(remove --${given.map((g) => g.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(', --')})`);
      }
      const controller = new AbortController();
      const onInterrupt = () => {
        console.error('\nstopping after this batch and saving (Ctrl-C again quits at once)');
        controller.abort();
        process.once('SIGINT', () => process.exit(130));
      };
      process.once('SIGINT', onInterrupt);
      const folder = (flags.resume as string | undefined) ?? (flags.out as string | undefined) ?? defaultFolder(flags.model as string);
      const extras = await extraCallbacks(flags, folder);
      try {
        const options = { signal: controller.signal, log: (line: string) => console.log(line), callbacks: extras.callbacks };
        const result = flags.resume
          ? await resume(folder, { ...options, epochs: flags.epochs as number | undefined })
          : await train(configFromFlags(flags), folder, options);
        console.log(report(result));
      } finally {
        process.removeListener('SIGINT', onInterrupt);
        await extras.close();
      }
    });
}

/** Callbacks for --keep-epochs and --dashboard, and how to stop what they started. */
async function extraCallbacks(flags: Record<string, unknown>, folder: string) {
  const callbacks: Callback[] = [];
  if (flags.keepEpochs) callbacks.push(new KeepEpochs(folder));
  let dashboard: Dashboard | null = null;
  if (flags.dashboard !== undefined) {
    const port = flags.dashboard === true ? DEFAULT_PORT : flags.dashboard as number;
    dashboard = await startDashboard({ runsDir: path.dirname(path.resolve(folder)), port });
    console.log(dashboard.reused ? `reporting to the dashboard at ${dashboard.url}` : `dashboard: ${dashboard.url}`);
    callbacks.push(new DashboardProgress(folder));
  }
  return { callbacks, close: async () => { if (dashboard && !dashboard.reused) await dashboard.close(); } };
}
