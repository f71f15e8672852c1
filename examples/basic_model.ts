// The tutorial's basic_model.py in convkit: two CONV-RELU-CONV-RELU-POOL blocks and two
// dense layers, trained on CIFAR-10 with Adam (the Keras tutorial reports about 80%; on the
// JPEG copy of the training set convkit measured 76.8% after 30 epochs and 77.6% after 40).
//
//   npx tsx examples/basic_model.ts
//
// EPOCHS, LIMIT (first N images only) and RUN_DIR change the run; CONVKIT_DATA the data.
import * as tfl from '@tensorflow/tfjs-layers';

import { models, optimizers, training } from '../src';
import { loadDataset, scaleOnlyNormalization } from '../src/data';

const epochs = Number(process.env.EPOCHS ?? 25);
const runDir = process.env.RUN_DIR ?? 'runs/basic_model';
const seed = 1;

async function main(): Promise<void> {
  // cifar10.load_data(), keeping 5,000 training images aside for validation.
  const dataset = await loadDataset({ limit: process.env.LIMIT ? Number(process.env.LIMIT) : undefined, seed });

  const model = tfl.sequential();
  model.add(models.conv2d({ filters: 32, kernelSize: [3, 3], inputShape: [32, 32, 3] }));
  model.add(tfl.layers.activation({ activation: 'relu' }));
  model.add(models.conv2d({ filters: 32, kernelSize: [3, 3] }));
  model.add(tfl.layers.activation({ activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(models.dropout({ rate: 0.25 }));

  model.add(models.conv2d({ filters: 64, kernelSize: [3, 3] }));
  model.add(tfl.layers.activation({ activation: 'relu' }));
  model.add(models.conv2d({ filters: 64, kernelSize: [3, 3] }));
  model.add(tfl.layers.activation({ activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(models.dropout({ rate: 0.25 }));

  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 256 }));
  model.add(tfl.layers.activation({ activation: 'relu' }));
  model.add(models.dropout({ rate: 0.5 }));
  model.add(tfl.layers.dense({ units: dataset.classNames.length }));
  model.add(tfl.layers.activation({ activation: 'softmax' }));
  // tfjs's initialisers ignore seeds; this makes the run repeatable.
  models.initializeWeights(model, seed);
  console.log(models.formatSummary(model));

  model.compile({ optimizer: optimizers.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // model.fit(x_train, y_train, batch_size=128, validation_data=...), saving the model after
  // every epoch (runs/basic_model/model.json) and the best one (runs/basic_model/best).
  const normalization = scaleOnlyNormalization(3);  // x_train / 255
  await training.fit(model, dataset, {
    epochs, batchSize: 128, seed, normalization,
    checkpointDir: runDir,
    metadata: { classNames: dataset.classNames, normalization },
    callbacks: [new training.ProgressBar(), new training.ModelCheckpoint(`${runDir}/best`)],
  });
}

main();
