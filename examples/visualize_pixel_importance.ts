// The tutorial's visualize_pixel_importance.py with convkit: cover a 5x5 patch of a correctly
// predicted test image with noise at every position and map how much the probability of its
// class drops; Grad-CAM and SmoothGrad of the same image for comparison.
//
//   node --import tsx examples/visualize_pixel_importance.ts runs/basic [out-folder, default RUN/examples/importance]
import * as fs from 'fs';
import * as path from 'path';

import { insight } from '../src';

async function mainExample(runFolder = 'runs/basic', outDir = path.join(runFolder, 'examples', 'importance')): Promise<void> {
  const run = await insight.openRun(runFolder);
  const dataset = await insight.loadRunData(run);
  const test = dataset.test ?? dataset.validation;

  // A few correctly predicted images, as in the tutorial.
  const sample = insight.firstImages(test, 200);
  const predictions = insight.predictImageSet(run.model, sample, { preprocess: run.preprocess });
  const chosen = insight.correctIndices(sample.labels, predictions.predicted).slice(0, 4);

  const examples = chosen.map((index) => {
    const image = insight.imageAt(sample, index);
    const map = insight.occlusion(run.model, image, { patchSize: 5, preprocess: run.preprocess });
    console.log(`image ${index} (${run.classNames[map.classIndex]}): P = ${map.baseProbability.toFixed(3)}, `
      + `largest drop ${Math.max(...map.drops).toFixed(3)}`);
    return {
      image, label: sample.labels[index], occlusion: map,
      gradient: insight.saliency(run.model, image, { preprocess: run.preprocess }),
      smoothGrad: insight.smoothGrad(run.model, image, { preprocess: run.preprocess }),
      gradCam: insight.gradCam(run.model, image, { preprocess: run.preprocess }),
    };
  });

  fs.mkdirSync(outDir, { recursive: true });
  for (const figure of [
    insight.render.occlusionFigure(examples.map(({ image, occlusion }) => ({ image, map: occlusion })), run.classNames),
    insight.render.attributionComparison(examples, run.classNames),
  ]) {
    fs.writeFileSync(path.join(outDir, `${figure.name}.png`), figure.png);
  }
  console.log(`figures in ${outDir}`);
}

mainExample(process.argv[2], process.argv[3]).catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
