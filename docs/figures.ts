// `npm run docs:figures`: every picture of docs/tutorial.md, made by convkit from real data.
// It trains the basic model briefly (or opens a run folder given with --run), then draws
// the concept figures from one image and the model figures from the trained model.
//
//   npm run docs:figures                          # docs/figures/*.png
//   npm run docs:figures -- --out /tmp/f --quick  # tiny data, one short epoch (what CI runs)
import { Command } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

import { insight, training } from '../src';
import { wholeNumber } from '../src/cli/arguments';
import type { ImageSet } from '../src/data';
import type { Figure } from '../src/insight/render';
import { convolutionSteps, edgeFilters, maxPoolingFigure, reluFigure } from './figure_makers/concepts';
import { HORIZONTAL_LINES, VERTICAL_LINES, convolve, greyPlane, lineStrength } from './figure_makers/filters';
import {
  TrainedModel, activationFigure, featureMapsFigure, lossCurveFigure, occlusionFigure, predictionsFigure, softmaxFigure, telling,
} from './figure_makers/model_figures';

interface Settings {
  out: string;
  /** Training images (before the validation tenth is set aside) and epochs of the brief run. */
  limit: number;
  epochs: number;
  /** Gradient-ascent steps of activation maximisation. */
  steps: number;
  data?: string;
  run?: string;
}

const SEED = 1;
const log = (line: string) => console.log(line);

function parseSettings(argv: string[]): Settings {
  const flags = new Command('docs:figures')
    .description('draw every figure of docs/tutorial.md from real data')
    .option('--out <folder>', 'where the PNG files go', path.join(__dirname, 'figures'))
    .option('--quick', 'tiny data and one short epoch, to prove the command works (CI)')
    .option('--limit <n>', 'training images of the brief run (default 8000; --quick 400)', wholeNumber(20))
    .option('--epochs <n>', 'epochs of the brief run (default 5; --quick 1)', wholeNumber(1))
    .option('--data <path>', 'images to use (default: as convkit train: CIFAR-10, else the shared JPEG copy)')
    .option('--run <folder>', 'draw from this trained run folder instead of training the basic model briefly')
    .parse(argv)
    .opts<{ out: string; quick?: boolean; limit?: number; epochs?: number; data?: string; run?: string }>();
  const quick = flags.quick === true;
  return {
    out: flags.out, data: flags.data, run: flags.run,
    limit: flags.limit ?? (quick ? 400 : 8000),
    epochs: flags.epochs ?? (quick ? 1 : 5),
    steps: quick ? 15 : 40,
  };
}

/** Trains the basic model as `convkit train` does, in a scratch folder; returns the folder. */
async function trainBriefly(settings: Settings, scratch: string): Promise<string> {
  const folder = path.join(scratch, 'basic');
  await training.train({
    ...training.DEFAULT_CONFIG, model: 'basic', epochs: settings.epochs, limit: settings.limit, data: settings.data ?? null, seed: SEED,
  }, folder, { log });
  return folder;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
}

async function openTrained(folder: string, data: string | undefined): Promise<TrainedModel> {
  const run = await insight.openRun(folder, log);
  const dataset = await insight.loadRunData(run, { data, log });
  const images = dataset.test ?? dataset.validation;
  const modelName = run.model.name.replace(/_model$/, '');
  return {
    model: run.model, classNames: run.classNames, preprocess: run.preprocess, history: run.history, images,
    predictions: insight.predictImageSet(run.model, images, { preprocess: run.preprocess }),
    description: `${modelName} model, ${plural(run.metadata.epoch ?? 0, 'epoch')}, ${plural(dataset.train.count, 'training image')}`,
  };
}

/** The image with the clearest long lines in both directions, so both edge filters have something to find. */
function lineRichImage(images: ImageSet): number {
  let best = { index: 0, score: -1 };
  for (let index = 0; index < Math.min(images.count, 300); index++) {
    const grey = greyPlane(insight.imageAt(images, index));
    const score = Math.min(lineStrength(convolve(grey, VERTICAL_LINES), 'vertical'), lineStrength(convolve(grey, HORIZONTAL_LINES), 'horizontal'));
    if (score > best.score) best = { index, score };
  }
  return best.index;
}

function drawAll(trained: TrainedModel, steps: number): Figure[] {
  const photo = insight.imageAt(trained.images, lineRichImage(trained.images));
  const [first, second] = telling(trained, 2);
  const convLayers = insight.convLayers(trained.model).map((layer) => layer.name);
  return [
    convolutionSteps(photo), edgeFilters(photo), reluFigure(photo), maxPoolingFigure(photo),
    softmaxFigure(trained, first), lossCurveFigure(trained),
    predictionsFigure(trained, 8), occlusionFigure(trained, [first, second]),
    // The third conv layer: past plain colours, not yet past recognition.
    activationFigure(trained, convLayers[Math.min(2, convLayers.length - 1)], steps), featureMapsFigure(trained, convLayers[0], first),
  ];
}

/** Palette PNGs: these figures hold few colours, and the files are committed. */
async function writeFigure(figure: Figure, folder: string): Promise<number> {
  const png = await sharp(figure.png).png({ palette: true, quality: 95, compressionLevel: 9, effort: 10 }).toBuffer();
  fs.writeFileSync(path.join(folder, `${figure.name}.png`), png);
  return png.length;
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'convkit-figures-'));
  try {
    const folder = settings.run ?? await trainBriefly(settings, scratch);
    const trained = await openTrained(folder, settings.data);
    const figures = drawAll(trained, settings.steps);
    fs.mkdirSync(settings.out, { recursive: true });
    let total = 0;
    for (const figure of figures) {
      const bytes = await writeFigure(figure, settings.out);
      total += bytes;
      log(`${`${figure.name}.png`.padEnd(30)} ${`${figure.width}x${figure.height}`.padStart(9)} ${(bytes / 1024).toFixed(0).padStart(5)} KB`);
    }
    log(`${figures.length} figures, ${(total / 1024).toFixed(0)} KB, in ${settings.out}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
