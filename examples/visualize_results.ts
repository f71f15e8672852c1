// The tutorial's visualize_results.py with convkit: training and test accuracy, random test
// images with their top-3 predictions, the misclassified ones, and the error breakdown.
//
//   node --import tsx examples/visualize_results.ts runs/basic [out-folder, default RUN/examples/results]
import * as fs from 'fs';
import * as path from 'path';

import { insight } from '../src';

async function mainExample(runFolder = 'runs/basic', outDir = path.join(runFolder, 'examples', 'results')): Promise<void> {
  const run = await insight.openRun(runFolder);
  const dataset = await insight.loadRunData(run);
  const test = dataset.test ?? dataset.validation;

  const evaluation = insight.evaluateSplits(run.model, [
    { name: 'training', set: insight.firstImages(dataset.train, 5000) },
    { name: 'test', set: test },
  ], run.classNames, { preprocess: run.preprocess });
  console.log(insight.render.formatEvaluation(evaluation));

  const predictions = evaluation.splits[1].predictions;
  const random = new insight.SeededRandom(1).sample(test.count, 10);
  const gallery = random.map((index) => ({
    image: insight.imageAt(test, index), label: test.labels[index],
    top: insight.topK(insight.probabilitiesOf(predictions, index), 3),
  }));
  const mistakes = insight.misclassifiedIndices(test.labels, predictions.predicted).slice(0, 12).map((index) => {
    const probabilities = insight.probabilitiesOf(predictions, index);
    return {
      image: insight.imageAt(test, index), label: test.labels[index], predicted: predictions.predicted[index],
      probability: probabilities[predictions.predicted[index]], trueProbability: probabilities[test.labels[index]],
    };
  });

  fs.mkdirSync(outDir, { recursive: true });
  for (const figure of [
    insight.render.predictionGallery(gallery, run.classNames),
    insight.render.misclassifiedGallery(mistakes, run.classNames),
    insight.render.confusionHeatmap(evaluation.confusion, run.classNames),
  ]) {
    fs.writeFileSync(path.join(outDir, `${figure.name}.png`), figure.png);
  }
  console.log(`\nfigures in ${outDir}`);
}

mainExample(process.argv[2], process.argv[3]).catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
