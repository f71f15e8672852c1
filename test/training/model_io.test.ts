// Models: seeded weights, the summary table, convkit's model folder (round trip, damaged
// saves), the tutorial's Keras 2.0.4 JSON file, and Keras HDF5 weights.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { tf } from '../../src';
import { ConvkitError } from '../../src/errors';
import {
  ConvkitDropout, basicModel, buildModel, formatSummary, improvedModel, loadArchitecture, loadKerasWeights, loadModel,
  saveKerasWeights, saveModel,
} from '../../src/models';
import { DEFAULT_CONFIG, train } from '../../src/training';
import * as tfl from '@tensorflow/tfjs-layers';
import { syntheticDataset, temporaryFolder } from './helpers';

/** Relative to the repository: CI clones it next to a copy of shared/. */
const KERAS_FIXTURE = path.join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'keras', 'convnet_model.json');
const KERAS_WEIGHTS = path.join(__dirname, 'fixtures', 'keras_tiny_weights.h5');

const images = tf.randomUniform([6, 32, 32, 3], 0, 1, 'float32', 5);

async function predictions(model: tfl.LayersModel): Promise<Float32Array> {
  const output = model.predict(images) as tf.Tensor;
  const values = await output.data() as Float32Array;
  output.dispose();
  return values;
}

async function weightValues(model: tfl.LayersModel): Promise<number[][]> {
  return Promise.all(model.weights.map(async (w) => Array.from(await w.read().data())));
}

/** The fixture's layer list, to edit into broken variants. */
function kerasLayers(): { class_name: string; config: Record<string, unknown> }[] {
  return JSON.parse(JSON.parse(fs.readFileSync(KERAS_FIXTURE, 'utf8'))).config;
}

function writeJson(value: unknown): string {
  const file = path.join(temporaryFolder('json'), 'model.json');
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

test('the same seed gives bit-identical weights, another seed different ones', async () => {
  const [a, b, c] = [basicModel({ seed: 5 }), basicModel({ seed: 5 }), basicModel({ seed: 6 })];
  const [wa, wb, wc] = await Promise.all([a, b, c].map(weightValues));
  assert.deepEqual(wa, wb);
  assert.notDeepEqual(wa, wc);
  // Glorot-uniform kernels, zero biases, as Keras starts them.
  const limit = Math.sqrt(6 / (3 * 3 * 3 + 3 * 3 * 32));
  assert.ok(wa[0].every((v) => Math.abs(v) <= limit) && Math.max(...wa[0].map(Math.abs)) > limit * 0.9);
  assert.ok(wa[1].every((v) => v === 0));
  [a, b, c].forEach((m) => m.dispose());
});

test("the summary shows Keras's table with the real shapes: the fourth conv gives 10x10, Flatten 1600", () => {
  const model = buildModel('basic');
  const table = formatSummary(model);
  assert.match(table, /^conv2d_4 \(Conv2D\) +\(None, 10, 10, 64\) +36,928$/m);
  assert.match(table, /^flatten_1 \(Flatten\) +\(None, 1600\) +0$/m);
  assert.match(table, /^dense_1 \(Dense\) +\(None, 256\) +409,856$/m);
  assert.match(table, /^Total params: 477,994$/m);
  assert.match(table, /^Non-trainable params: 0$/m);
  assert.equal(table.split('\n').filter((line) => /^\w+ \(\w+\) +\(None/.test(line)).length, model.layers.length);
  const improved = improvedModel();
  assert.match(formatSummary(improved), /^flatten_1 \(Flatten\) +\(None, 2048\) +0$/m);
  assert.match(formatSummary(improved), /^Total params: 1,469,994$/m);
  improved.dispose();
  model.dispose();
});

test('a saved model loads back with identical predictions and its metadata', async () => {
  const folder = temporaryFolder('round-trip');
  const model = basicModel({ seed: 8 });
  await saveModel(model, folder, { classNames: ['a', 'b'], normalization: { mean: [0, 0, 0], std: [1, 1, 1] } });
  const loaded = await loadModel(folder);
  assert.deepEqual(await predictions(loaded.model), await predictions(model));
  assert.deepEqual(loaded.metadata.classNames, ['a', 'b']);
  assert.ok(loaded.model.layers.some((layer) => layer instanceof ConvkitDropout));
  model.dispose();
  loaded.model.dispose();
});

test('a damaged last save is detected and the previous one is used', async () => {
  const folder = temporaryFolder('damaged');
  const first = basicModel({ seed: 1 });
  const second = basicModel({ seed: 2 });
  await saveModel(first, folder);
  await saveModel(second, folder);
  const latest = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')).convkit.files.weights.path;
  const weightsFile = path.join(folder, latest);
  fs.truncateSync(weightsFile, fs.statSync(weightsFile).size - 1000);
  const warnings: string[] = [];
  const loaded = await loadModel(folder, { log: (line) => warnings.push(line) });
  assert.deepEqual(await predictions(loaded.model), await predictions(first));
  assert.match(warnings.join('\n'), /truncated or overwritten.*previous save/);
  fs.writeFileSync(path.join(folder, 'model.previous.json'), '{"modelTopology":');
  await assert.rejects(loadModel(folder), /truncated or overwritten/);
  [first, second, loaded.model].forEach((m) => m.dispose());
});

test("weights that do not fit the model name the layer and both shapes", async () => {
  const folder = temporaryFolder('misfit');
  const model = basicModel({ classes: 10 });
  await saveModel(model, folder);
  const file = path.join(folder, 'model.json');
  const document = JSON.parse(fs.readFileSync(file, 'utf8'));
  const lastDense = document.modelTopology.config.layers.find((l: { config: { name: string } }) => l.config.name === 'dense_2');
  lastDense.config.units = 5;
  fs.writeFileSync(file, JSON.stringify(document));
  await assert.rejects(loadModel(file), /layer 'dense_2' weight 'dense_2\/kernel' has shape \[256,10\] in the file but the model needs \[256,5\]/);
  model.dispose();
});

test("the tutorial's Keras 2.0.4 file (double-encoded JSON) loads and trains as-is", async () => {
  const model = await loadArchitecture(KERAS_FIXTURE);
  assert.equal(model.layers.length, 27);
  assert.equal(model.layers.filter((layer) => layer instanceof ConvkitDropout).length, 5);
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  assert.match(formatSummary(model), /^Total params: 1,469,994$/m);
  model.dispose();
  const folder = path.join(temporaryFolder('keras-fixture'), 'run');
  const dataset = syntheticDataset(96, 32);
  const result = await train({ ...DEFAULT_CONFIG, model: KERAS_FIXTURE, seed: 3, epochs: 1, batchSize: 32 }, folder,
    { loadData: async () => dataset, progress: false });
  assert.ok(Number.isFinite(result.history[0].loss) && Number.isFinite(result.history[0].val_loss));
  const reloaded = await loadModel(folder);
  assert.equal(reloaded.model.layers.length, 27);
  reloaded.model.dispose();
});

test('malformed and unsupported model JSON names the file, the layer and the field', async () => {
  const badKernel = kerasLayers();
  badKernel[2].config.kernel_size = [0, 3];
  await assert.rejects(loadArchitecture(writeJson({ class_name: 'Sequential', config: badKernel })),
    (e: Error) => e instanceof ConvkitError && /layer 3 'conv2d_2' \(Conv2D\): field 'kernel_size' must be/.test(e.message));
  const badActivation = kerasLayers();
  badActivation[1].config.activation = 'relu9';
  await assert.rejects(loadArchitecture(writeJson({ class_name: 'Sequential', config: badActivation })),
    /layer 2 'activation_1' \(Activation\): field 'activation' must be one of/);
  const unsupported = kerasLayers();
  unsupported[4].class_name = 'LSTM';
  await assert.rejects(loadArchitecture(writeJson({ class_name: 'Sequential', config: unsupported })),
    /layer 5 'max_pooling2d_1' \(LSTM\): unsupported layer type/);
  const tooSmall = kerasLayers();
  tooSmall[0].config.batch_input_shape = [null, 4, 4, 3];
  tooSmall[0].config.padding = 'valid';
  tooSmall[2].config.padding = 'valid';
  await assert.rejects(loadArchitecture(writeJson({ class_name: 'Sequential', config: tooSmall })),
    /layer 3 'conv2d_2' \(Conv2D\): field 'kernel_size' 3 is larger than its input \(2\)/);
  await assert.rejects(loadArchitecture(writeJson({ class_name: 'Model', config: {} })), /reads Sequential models; this file holds a 'Model' model/);
  const notJson = writeJson('');
  fs.writeFileSync(notJson, '{"class_name": "Sequential",');
  await assert.rejects(loadArchitecture(notJson), /is not valid JSON/);
});

test('a Keras 1 style config (Convolution2D, nb_filter, border_mode) is read with its new names', async () => {
  const file = writeJson({ class_name: 'Sequential', config: [
    { class_name: 'Convolution2D', config: { name: 'convolution2d_1', nb_filter: 8, nb_row: 3, nb_col: 3, border_mode: 'same',
      init: 'glorot_uniform', dim_ordering: 'tf', batch_input_shape: [null, 8, 8, 3], activation: 'relu' } },
    { class_name: 'Dropout', config: { name: 'dropout_1', p: 0.5 } },
    { class_name: 'Flatten', config: { name: 'flatten_1' } },
    { class_name: 'Dense', config: { name: 'dense_1', output_dim: 4, activation: 'softmax' } },
  ] });
  const model = await loadArchitecture(file);
  assert.deepEqual(model.layers.map((l) => l.outputShape), [[null, 8, 8, 8], [null, 8, 8, 8], [null, 512], [null, 4]]);
  assert.equal((model.layers[1] as ConvkitDropout).rate, 0.5);
  model.dispose();
});

test('Keras HDF5 weights: a round trip keeps predictions, a Keras-written file loads value for value', async () => {
  const folder = temporaryFolder('hdf5');
  const source = basicModel({ seed: 4 });
  const target = basicModel({ seed: 9 });
  const file = path.join(folder, 'weights.h5');
  await saveKerasWeights(source, file);
  await loadKerasWeights(target, file);
  assert.deepEqual(await predictions(target), await predictions(source));
  await assert.rejects(loadKerasWeights(basicModel({ classes: 7 }), file),
    /weight 'dense_2\/kernel:0' has shape \[256,10\] but model layer 'dense_2' needs \[256,7\]/);
  await assert.rejects(loadKerasWeights(improvedModel(), file), /holds weights for 6 layers but the model has 9 layers with weights/);
  fs.writeFileSync(path.join(folder, 'junk.h5'), 'not hdf5 at all');
  await assert.rejects(loadKerasWeights(source, path.join(folder, 'junk.h5')), (e: Error) => e instanceof ConvkitError && !e.message.includes('\n'));

  // Written by h5py in Keras 2.0.4's save_weights layout (see fixtures/make_keras_weights.py).
  const tiny = tfl.sequential();
  tiny.add(tfl.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [6, 6, 3] }));
  tiny.add(tfl.layers.activation({ activation: 'relu' }));
  tiny.add(tfl.layers.flatten());
  tiny.add(tfl.layers.dense({ units: 3 }));
  await loadKerasWeights(tiny, KERAS_WEIGHTS);
  const values = await weightValues(tiny);
  values.forEach((weight, w) => weight.forEach((v, i) => assert.equal(v, Math.fround((i + 100 * (w % 2)) / 1000))));
  [source, target, tiny].forEach((m) => m.dispose());
});
