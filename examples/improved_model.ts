// The tutorial's improved_model.py in convkit: three same-padded conv blocks (32, 64, 128
// filters), two dense layers with dropout, and augmented training images (about 85%
// validation accuracy within 50 epochs).
//
//   npx tsx examples/improved_model.ts
//
// EPOCHS, LIMIT (first N images only) and RUN_DIR change the run; CONVKIT_DATA the data.
import * as tfl from '@tensorflow/tfjs-layers';

import { models, optimizers, training } from '../src';
import { loadDataset, scaleOnlyNormalization, TUTORIAL_AUGMENTATION } from '../src/data';

const epochs = Number(process.env.EPOCHS ?? 50);
const runDir = process.env.RUN_DIR ?? 'runs/improved_model';
const seed = 1;

async function main(): Promise<void> {
  const dataset = await loadDataset({ limit: process.env.LIMIT ? Number(process.env.LIMIT) : undefined, seed });

  const model = tfl.sequential();
  model.add(tfl.layers.inputLayer({ inputShape: [32, 32, 3] }));
  for (const filters of [32, 64, 128]) {
    model.add(models.conv2d({ filters, kernelSize: [3, 3], padding: 'same' }));
    model.add(tfl.layers.activation({ activation: 'relu' }));
    model.add(models.conv2d({ filters, kernelSize: [3, 3], padding: 'same' }));
    model.add(tfl.layers.activation({ activation: 'relu' }));
    model.add(tfl.layers.maxPooling2d({ poolSize: [2, 2] }));
    model.add(models.dropout({ rate: 0.25 }));
  }
  model.add(tfl.layers.flatten());
  for (const units of [512, 256]) {
    model.add(tfl.layers.dense({ units }));
    model.add(tfl.layers.activation({ activation: 'relu' }));
    model.add(models.dropout({ rate: 0.5 }));
  }
  model.add(tfl.layers.dense({ units: dataset.classNames.length, activation: 'softmax' }));
  models.initializeWeights(model, seed);
  console.log(models.formatSummary(model));

  model.compile({ optimizer: optimizers.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // ImageDataGenerator(width_shift_range, height_shift_range, horizontal_flip) with
  // model.fit_generator: each epoch sees freshly shifted and flipped images.
  const normalization = scaleOnlyNormalization(3);
  await training.fit(model, dataset, {
    epochs, batchSize: 128, seed, normalization,
    augment: TUTORIAL_AUGMENTATION,
    checkpointDir: runDir,
    metadata: { classNames: dataset.classNames, normalization },
    callbacks: [new training.ProgressBar(), new training.ModelCheckpoint(`${runDir}/best`)],
  });
}

main();
