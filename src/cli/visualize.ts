import { Command } from 'commander';
import * as path from 'path';

// Registers the native backend.
import '..';
import { ConvkitError } from '../errors';
import { REPORT_PARTS, ReportPart, firstImages, loadRunData, openRun, writeReport } from '../insight';
import { wholeNumber } from './arguments';

function parseParts(part: string): readonly ReportPart[] {
  if (part === 'all') return REPORT_PARTS;
  if (!REPORT_PARTS.includes(part as ReportPart)) {
    throw new ConvkitError(`unknown part "${part}": use ${REPORT_PARTS.join(', ')} or all`);
  }
  return [part as ReportPart];
}

interface VisualizeFlags {
  images?: number;
  out?: string;
  data?: string;
  seed: number;
  patch: number;
  stride: number;
  filters: number;
  steps: number;
  trainSample: number;
}

const log = (line: string) => console.error(line);

/** `convkit visualize RUN [part]`: PNG figures and a self-contained report.html. */
export function registerVisualizeCommand(program: Command): void {
  program.command('visualize')
    .description('draw what the model does and where it looks: PNG files and one self-contained report.html')
    .argument('<run>', 'run folder (runs/NAME) or its model.json')
    .argument('[part]', `${REPORT_PARTS.join(', ')} or all`, 'all')
    .option('--images <n>', 'images per gallery (default 10); occlusion and saliency explain up to 6 of them', wholeNumber(1))
    .option('--out <folder>', 'where the PNG files and report.html go (default RUN/report)')
    .option('--data <path>', 'take the images from this data instead of the data the run was trained on')
    .option('--seed <n>', 'seed of the image sample, occlusion noise and activation-maximisation start', wholeNumber(1), 1)
    .option('--patch <pixels>', 'side of the occlusion patch', wholeNumber(1), 5)
    .option('--stride <pixels>', 'pixels between occlusion patch positions (raise it for large images)', wholeNumber(1), 1)
    .option('--filters <n>', 'filters shown per layer in activation maximisation', wholeNumber(1), 16)
    .option('--steps <n>', 'gradient-ascent steps of activation maximisation', wholeNumber(1), 40)
    .option('--train-sample <n>', 'training images the training accuracy is measured on', wholeNumber(1), 2000)
    .action(async (runFolder: string, part: string, flags: VisualizeFlags) => {
      const parts = parseParts(part);
      const started = Date.now();
      const run = await openRun(runFolder, log);
      const dataset = await loadRunData(run, { data: flags.data, log });
      const [images, imagesName] = dataset.test ? [dataset.test, 'test'] : [dataset.validation, 'validation'];
      if (images.count === 0) throw new ConvkitError('the data has no test or validation images to show');
      const trainImages = firstImages(dataset.train, flags.trainSample);
      const outDir = flags.out ?? path.join(run.folder, 'report');
      const result = writeReport({
        model: run.model, classNames: run.classNames, preprocess: run.preprocess, images, imagesName,
        trainImages, trainName: trainImages.count < dataset.train.count ? `training (first ${trainImages.count})` : 'training',
        history: run.history, title: `convkit report: ${path.basename(path.resolve(run.folder))}`,
        facts: [['run', run.folder], ['data', dataset.source]],
      }, {
        outDir, parts, imageCount: flags.images, seed: flags.seed, patchSize: flags.patch, stride: flags.stride,
        filtersPerLayer: flags.filters, steps: flags.steps, log,
      });
      console.log(`wrote ${result.pngFiles.length} PNG files and ${result.htmlFile} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
}
