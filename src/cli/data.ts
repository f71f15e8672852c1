import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import {
  AUGMENT_SPEC_HELP, cifar10, computeNormalization, describeAugment, loadDataset, parseAugmentSpec, renderPreview,
  type ImageSet, type LoadDatasetOptions,
} from '../data';
import { ConvkitError } from '../errors';
import { wholeNumber } from './arguments';

function imageSize(text: string): [number, number] {
  const match = /^(\d+)(?:x(\d+))?$/.exec(text);
  if (!match) throw new InvalidArgumentError('expected HEIGHTxWIDTH, e.g. 32x32, or one number for a square');
  return [Number(match[1]), Number(match[2] ?? match[1])];
}

function shape(set: ImageSet): string {
  return `images uint8 [${set.count}, ${set.height}, ${set.width}, ${set.channels}], labels int32 [${set.count}]`;
}

const DATA_HELP = 'CIFAR-10 binary folder or .tar.gz, a folder of class folders, or a .tar.gz of one ' +
  '(default: env CONVKIT_DATA, else CIFAR-10 from the cache or the web, else ../shared/data/cifar10-jpeg-train.tar.gz)';
const CACHE_HELP = 'cache folder (default: env CONVKIT_CACHE, else ~/.cache/convkit)';

/** The flags that choose and split a dataset, shared by `data load` and `data preview`. */
function addDatasetOptions(command: Command): Command {
  return command
    .option('--data <path>', DATA_HELP)
    .option('--limit <n>', 'use only the first N training images', wholeNumber(1))
    .option('--val <n>', 'validation images carved from train (default 5000, or a tenth of fewer images)', wholeNumber(0))
    .option('--seed <n>', 'seed of the train/validation split (and of the preview sampling and augmentation)', wholeNumber(0), 1)
    .addOption(new Option('--size <HxW>', 'size images of a folder are resized to').argParser(imageSize).default([32, 32], '32x32'))
    .option('--cache-dir <dir>', CACHE_HELP);
}

function datasetOptions(flags: Record<string, unknown>): LoadDatasetOptions {
  return {
    data: flags.data as string | undefined,
    limit: flags.limit as number | undefined,
    val: flags.val as number | undefined,
    seed: flags.seed as number,
    size: flags.size as [number, number],
    cacheDir: flags.cacheDir as string | undefined,
  };
}

/** `convkit data ...`: load CIFAR-10 or image folders, and preview augmented samples. */
export function registerDataCommand(program: Command): void {
  const data = program.command('data').description('load datasets (CIFAR-10, folders of images) and preview augmentation');

  data.command('cifar10')
    .description('load CIFAR-10 like Keras cifar10.load_data() (local path, else the cache, else download) and describe it')
    .option('--data <path>', 'cifar-10-batches-bin folder or cifar-10-binary.tar.gz (default: env CONVKIT_DATA)')
    .option('--cache-dir <dir>', CACHE_HELP)
    .option('--url <url>', `download address (default: env CONVKIT_CIFAR10_URL, else ${cifar10.CIFAR10_URL})`)
    .option('--no-download', 'fail instead of downloading when there is no local or cached copy')
    .action(async (flags: { data?: string; cacheDir?: string; url?: string; download: boolean }) => {
      const loaded = await cifar10.loadData({ path: flags.data, cacheDir: flags.cacheDir, url: flags.url, download: flags.download });
      console.log(`source:  ${loaded.source}`);
      console.log(`classes: ${loaded.classNames.join(', ')}`);
      console.log(`train:   ${shape(loaded.train)}`);
      console.log(`test:    ${shape(loaded.test)}`);
    });

  addDatasetOptions(data.command('load'))
    .description('load a dataset as training does (decoding and caching image folders on first use) and summarise it')
    .action(async (flags: Record<string, unknown>) => {
      const started = Date.now();
      const loaded = await loadDataset(datasetOptions(flags));
      const seconds = (Date.now() - started) / 1000;
      const normalization = computeNormalization(loaded.train);
      console.log(`source:     ${loaded.source}`);
      console.log(`classes:    ${loaded.classNames.join(', ')}`);
      console.log(`train:      ${shape(loaded.train)}`);
      console.log(`validation: ${shape(loaded.validation)}`);
      if (loaded.test) console.log(`test:       ${shape(loaded.test)}`);
      console.log(`train mean: ${normalization.mean.map((m) => m.toFixed(4)).join(' ')}, std: ${normalization.std.map((s) => s.toFixed(4)).join(' ')}`);
      console.log(`loaded in ${seconds.toFixed(2)} s`);
    });

  addDatasetOptions(data.command('preview'))
    .description('write a PNG grid of augmented samples with their class names, to see what the model sees')
    .option('--augment <spec>', AUGMENT_SPEC_HELP, 'tutorial')
    .option('--out <file>', 'PNG file to write', 'preview.png')
    .option('--count <n>', 'number of samples', wholeNumber(1), 32)
    .option('--scale <n>', 'pixel upscaling factor (nearest neighbour; default: images at least 96 pixels wide)', wholeNumber(1))
    .addOption(new Option('--split <name>', 'which part to sample').choices(['train', 'validation', 'test']).default('train'))
    .action(async (flags: Record<string, unknown>) => {
      const augment = parseAugmentSpec(flags.augment as string);
      const loaded = await loadDataset(datasetOptions(flags));
      const split = flags.split as 'train' | 'validation' | 'test';
      const set = loaded[split];
      if (!set || set.count === 0) throw new ConvkitError(`the ${split} split of ${loaded.source} is empty or absent`);
      const preview = renderPreview(set, loaded.classNames, {
        count: flags.count as number,
        scale: flags.scale as number | undefined,
        augment,
        normalization: computeNormalization(loaded.train),
        seed: flags.seed as number,
      });
      const out = resolve(flags.out as string);
      try {
        writeFileSync(out, preview.png);
      } catch (error) {
        throw new ConvkitError(`cannot write ${out}: ${(error as Error).message}`);
      }
      console.log(`wrote ${out}: ${preview.indices.length} ${split} samples, augmentation ${describeAugment(augment)}`);
    });
}
