import { Command, InvalidArgumentError } from 'commander';

// Registers the native backend.
import '..';
import { ResizeFit, TtaLevel, loadImageFile, modelImageShape, openRun, predictPixels, probabilitiesOf, topK } from '../insight';
import { alignColumns } from '../insight/render';
import { TTA_HELP, ttaLevel, wholeNumber } from './arguments';

const fits: ResizeFit[] = ['fill', 'cover', 'contain'];

function parseFit(text: string): ResizeFit {
  if (!fits.includes(text as ResizeFit)) throw new InvalidArgumentError(`expected one of ${fits.join(', ')}`);
  return text as ResizeFit;
}

/** `convkit predict RUN IMAGE...`: the most likely classes for each image file. */
export function registerPredictCommand(program: Command): void {
  program.command('predict')
    .description('classify JPEG/PNG images of any size with a trained model')
    .argument('<run>', 'run folder (runs/NAME) or its model.json')
    .argument('<images...>', 'image files (JPEG, PNG, WebP...; resized to the model\'s input)')
    .option('--json', 'print JSON for machines instead of text')
    .option('--top <k>', 'how many classes to show per image', wholeNumber(1), 3)
    .option('--fit <how>', 'how to fit other shapes: fill (stretch, as training does), cover (crop the middle) or contain (pad)',
      parseFit, 'fill')
    .option('--tta <level>', TTA_HELP, ttaLevel, 0)
    .action(async (runFolder: string, files: string[], flags: { json?: boolean; top: number; fit: ResizeFit; tta: TtaLevel }) => {
      const run = await openRun(runFolder, (line) => console.error(line));
      const shape = modelImageShape(run.model);
      const images = [];
      for (const file of files) images.push(await loadImageFile(file, { ...shape, fit: flags.fit }));
      const size = shape.height * shape.width * shape.channels;
      const pixels = new Uint8Array(images.length * size);
      images.forEach((image, i) => pixels.set(image.pixels, i * size));
      const predictions = predictPixels(run.model, pixels, images.length, { preprocess: run.preprocess, tta: flags.tta });
      const results = files.map((file, i) => ({
        file,
        predictions: topK(probabilitiesOf(predictions, i), flags.top)
          .map(({ classIndex, probability }) => ({ class: run.classNames[classIndex], index: classIndex, probability })),
      }));
      if (flags.json) {
        console.log(JSON.stringify(results, null, 2));
        return;
      }
      console.log(results.map(({ file, predictions: ranked }) => `${file}\n${alignColumns(ranked.map((p, rank) =>
        [`  ${rank + 1}. ${p.class}`, `${(p.probability * 100).toFixed(1)}%`]), 3)}`).join('\n\n'));
    });
}
