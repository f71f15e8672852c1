// Keras HDF5 weights (`model.save_weights('x.h5')`), read and written through h5wasm (the
// HDF5 C library compiled to WebAssembly). The layout Keras 2 uses:
//
//   /                      attrs layer_names = [b'conv2d_1', b'activation_1', ...], backend, keras_version
//   /conv2d_1              attrs weight_names = [b'conv2d_1/kernel:0', b'conv2d_1/bias:0']
//   /conv2d_1/conv2d_1/kernel:0   float32 dataset [3, 3, 3, 32]
//
// Layers without weights have an empty weight_names. A whole-model file (`model.save`)
// keeps the same tree under /model_weights. Keras loads by position: the n-th layer with
// weights in the file goes to the n-th layer with weights in the model; convkit does too.
// TensorFlow-backend kernels are laid out as tfjs's: [h, w, in, out] and [in, out].
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as fs from 'fs';
import * as path from 'path';
import type * as H5 from 'h5wasm';

import { importEsm } from '../import_esm';
import { ConvkitError } from '../errors';
import { TEMP_MARKER, syncFile, syncFolder } from './atomic_file';

type H5Module = typeof H5;

/** More values than this in one dataset is a damaged file, not a weight. */
const MAX_DATASET_VALUES = 100_000_000;

let h5wasmLoading: Promise<H5Module> | null = null;

async function h5wasm(): Promise<H5Module> {
  h5wasmLoading ??= importEsm('h5wasm/node').then(async (loaded) => {
    const h5 = loaded as H5Module;
    const module = await h5.ready;
    // Turns HDF5's errors into exceptions instead of diagnostics printed on stderr.
    module.activate_throwing_error_handler();
    return h5;
  });
  return h5wasmLoading;
}

/** Keras stores names as byte strings; h5wasm returns them as strings or nested lists. */
function stringList(attribute: H5.Attribute | undefined): string[] {
  if (!attribute) return [];
  const value = attribute.json_value;
  const flat = Array.isArray(value) ? value.flat(4) : value == null ? [] : [value];
  return flat.filter((v): v is string => typeof v === 'string');
}

/** HDF5's error stacks run to dozens of lines; the outermost and innermost reasons say enough. */
function hdf5Reason(e: unknown): string {
  const message = String((e as Error)?.message ?? e);
  const reasons = [...message.matchAll(/ in \w+\(\): (.+)$/gm)].map((m) => m[1].trim());
  if (reasons.length === 0) return message.split('\n')[0];
  return reasons.length === 1 ? reasons[0] : `${reasons[0]} (${reasons[reasons.length - 1]})`;
}

function layersWithWeights(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.filter((layer) => layer.weights.length > 0);
}

interface FileLayer {
  name: string;
  weights: Array<{ name: string; shape: number[]; values: Float32Array }>;
}

/** The layers of a Keras weights file that hold weights, in the file's order. */
function readFileLayers(h5: H5Module, file: H5.File, source: string): FileLayer[] {
  const nested = file.get('model_weights');
  const root = nested instanceof h5.Group && !('layer_names' in file.attrs) ? nested : file;
  const layerNames = stringList(root.attrs['layer_names']);
  if (layerNames.length === 0) throw new ConvkitError(`${source} is not a Keras weights file (no "layer_names" attribute)`);
  const backend = stringList(file.attrs['backend'])[0];
  if (backend === 'theano') throw new ConvkitError(`${source} was saved by Keras's Theano backend, whose kernel layout convkit does not read`);
  const layers: FileLayer[] = [];
  for (const layerName of layerNames) {
    const group = root.get(layerName);
    if (!(group instanceof h5.Group)) throw new ConvkitError(`${source}: layer '${layerName}' is listed but has no group`);
    const weights = stringList(group.attrs['weight_names']).map((weightName) => {
      const dataset = group.get(weightName);
      if (!(dataset instanceof h5.Dataset)) {
        throw new ConvkitError(`${source}: layer '${layerName}' lists weight '${weightName}' but the file lacks it`);
      }
      const shape = dataset.shape ?? [];
      if (shape.reduce((a, b) => a * b, 1) > MAX_DATASET_VALUES) {
        throw new ConvkitError(`${source}: weight '${weightName}' has an impossible shape [${shape}]`);
      }
      const value = dataset.value;
      if (!(ArrayBuffer.isView(value) && !(value instanceof DataView)) || typeof (value as Float32Array)[0] === 'bigint') {
        throw new ConvkitError(`${source}: weight '${weightName}' is not an array of floats`);
      }
      return { name: weightName, shape, values: Float32Array.from(value as Float32Array) };
    });
    if (weights.length > 0) layers.push({ name: layerName, weights });
  }
  return layers;
}

/**
 * Loads Keras HDF5 weights into `model`, whose architecture must match: same number of
 * layers with weights, same shapes (a mismatch names the layer and both shapes).
 */
export async function loadKerasWeights(model: tfl.LayersModel, file: string): Promise<void> {
  const h5 = await h5wasm();
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new ConvkitError(`cannot read weights file ${file}: no such file`);
  let opened: H5.File | null = null;
  let fileLayers: FileLayer[];
  try {
    opened = new h5.File(file, 'r');
    fileLayers = readFileLayers(h5, opened, file);
  } catch (e) {
    if (e instanceof ConvkitError) throw e;
    throw new ConvkitError(`cannot read ${file} as an HDF5 weights file: ${hdf5Reason(e)}`);
  } finally {
    try { opened?.close(); } catch { /* a damaged file may refuse to close; nothing is left to flush */ }
  }
  const modelLayers = layersWithWeights(model);
  if (fileLayers.length !== modelLayers.length) {
    throw new ConvkitError(`${file} holds weights for ${fileLayers.length} layers but the model has ${modelLayers.length} layers with weights`);
  }
  modelLayers.forEach((layer, i) => {
    const source = fileLayers[i];
    if (source.weights.length !== layer.weights.length) {
      throw new ConvkitError(`${file}: layer '${source.name}' has ${source.weights.length} weights but model layer '${layer.name}' has ${layer.weights.length}`);
    }
    layer.weights.forEach((weight, j) => {
      const { name, shape } = source.weights[j];
      if (JSON.stringify(shape) !== JSON.stringify(weight.shape)) {
        throw new ConvkitError(`${file}: weight '${name}' has shape [${shape}] but model layer '${layer.name}' needs [${weight.shape}]`);
      }
    });
  });
  // Every shape fits: only now change the model.
  tf.tidy(() => modelLayers.forEach((layer, i) => {
    layer.setWeights(fileLayers[i].weights.map((w) => tf.tensor(w.values, w.shape)));
  }));
}

/** Fixed-length byte strings, as h5py writes Keras's names. */
function writeNames(target: H5.Group, attribute: string, names: string[]): void {
  if (names.length === 0) {
    // What h5py stores for Keras's empty list: an empty float64 array.
    target.create_attribute(attribute, new Float64Array(0), [0], '<d');
    return;
  }
  const width = Math.max(1, ...names.map((n) => Buffer.byteLength(n)));
  target.create_attribute(attribute, names, [names.length], `S${width}`);
}

/** Writes `model`'s weights in Keras's save_weights HDF5 layout (atomically). */
export async function saveKerasWeights(model: tfl.LayersModel, file: string): Promise<void> {
  const h5 = await h5wasm();
  const values = await Promise.all(model.layers.map((layer) => Promise.all(layer.weights.map((w) => w.read().data() as Promise<Float32Array>))));
  const temp = `${file}${TEMP_MARKER}${process.pid}`;
  let output: H5.File | null = null;
  try {
    output = new h5.File(temp, 'w');
    writeNames(output, 'layer_names', model.layers.map((l) => l.name));
    // Fixed-length bytes like h5py's: Keras 2.0 calls .decode() on these.
    output.create_attribute('backend', 'tensorflow', null, 'S10');
    output.create_attribute('keras_version', '2.0.4', null, 'S5');
    model.layers.forEach((layer, i) => {
      const group = (output as H5.File).create_group(layer.name);
      // Keras names a weight 'layer/kernel:0' and keeps it at group/layer/kernel:0.
      const names = layer.weights.map((w) => `${w.originalName}:0`);
      writeNames(group, 'weight_names', names);
      layer.weights.forEach((weight, j) => {
        const parts = names[j].split('/');
        let parent: H5.Group = group;
        for (const part of parts.slice(0, -1)) {
          const existing = parent.get(part);
          parent = existing instanceof h5.Group ? existing : parent.create_group(part);
        }
        parent.create_dataset({ name: parts[parts.length - 1], data: values[i][j], shape: weight.shape as number[], dtype: '<f' });
      });
    });
    output.close();
    output = null;
    syncFile(temp);
    fs.renameSync(temp, file);
    syncFolder(path.dirname(file));
  } catch (e) {
    try { output?.close(); } catch { /* already failing */ }
    fs.rmSync(temp, { force: true });
    throw new ConvkitError(`cannot write ${file}: ${hdf5Reason(e)}`, { cause: e });
  }
}
