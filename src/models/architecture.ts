// Reading a model's architecture from JSON: Keras's `model.to_json()` (also double-encoded,
// as the tutorial's scripts wrote it with json.dump), and the modelTopology of a convkit or
// TensorFlow.js model.json. Every layer is checked (layer_specs.ts) before tfjs builds it.
import * as tfl from '@tensorflow/tfjs-layers';
import * as fs from 'fs';

import { ConvkitError } from '../errors';
import { Config, FieldError, Shape, SUPPORTED_LAYERS, WeightShape, checkCommonFields, declaredInputShape, inferLayer, isSupportedLayer } from './layer_specs';
// Registers ConvkitDropout, which converted Keras files use, and convkit's Conv2D, which they build.
import './dropout';
import './conv2d';

/** More weights than this is a damaged file, not a CIFAR model (400 MB of float32). */
const MAX_PARAMETERS = 100_000_000;
const MAX_LAYERS = 10_000;

export interface CheckedLayer {
  className: string;
  name: string;
  config: Config;
  outputShape: Shape;
  /** Full weight names ('conv2d_1/kernel') and shapes, in the order tfjs creates them. */
  weights: WeightShape[];
}

/** A Sequential topology that passed every check, ready for tfjs to build. */
export interface CheckedTopology {
  name: string;
  inputShape: Shape;
  layers: CheckedLayer[];
  /** The cleaned topology, in Keras's snake_case JSON form. */
  json: Config;
}

function isObject(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse, with a one-line error naming the file; unwraps a double-encoded Keras file. */
export function parseJsonFile(text: string, source: string): unknown {
  const parse = (s: string) => {
    try {
      return JSON.parse(s) as unknown;
    } catch (e) {
      // Node quotes the text around the error, newlines included.
      throw new ConvkitError(`${source} is not valid JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
    }
  };
  const value = parse(text);
  // json.dump(model.to_json()) writes the JSON text as one JSON string.
  return typeof value === 'string' ? parse(value) : value;
}

export function readTextFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new ConvkitError(`cannot read ${what} ${file}: ${reason}`);
  }
}

/** Keras 1 names and classes that Keras 2 renamed; tfjs knows only the Keras 2 ones. */
const LEGACY_CLASSES: Record<string, string> = { Convolution2D: 'Conv2D', Conv2d: 'Conv2D' };
const LEGACY_INITIALIZERS: Record<string, string> = {
  glorot_uniform: 'GlorotUniform', glorot_normal: 'GlorotNormal', he_normal: 'HeNormal', he_uniform: 'HeUniform',
  lecun_uniform: 'LeCunUniform', lecun_normal: 'LeCunNormal', zero: 'Zeros', zeros: 'Zeros', one: 'Ones', ones: 'Ones',
  uniform: 'RandomUniform', normal: 'RandomNormal', orthogonal: 'Orthogonal',
};

/** Rewrites old or foreign field names into what tfjs-layers reads; returns the class to use. */
function adaptLayer(className: string, config: Config): string {
  const renamed = LEGACY_CLASSES[className] ?? className;
  const move = (from: string, to: string) => {
    if (from in config) {
      if (!(to in config)) config[to] = config[from];
      delete config[from];
    }
  };
  // Keras 1.
  move('nb_filter', 'filters');
  if ('nb_row' in config || 'nb_col' in config) {
    config.kernel_size = [config.nb_row, config.nb_col];
    delete config.nb_row;
    delete config.nb_col;
  }
  move('border_mode', 'padding');
  move('subsample', 'strides');
  move('output_dim', 'units');
  move('init', 'kernel_initializer');
  move('W_regularizer', 'kernel_regularizer');
  move('b_regularizer', 'bias_regularizer');
  move('bias', 'use_bias');
  if (renamed === 'Dropout') move('p', 'rate');
  if (typeof config.kernel_initializer === 'string' && config.kernel_initializer in LEGACY_INITIALIZERS) {
    config.kernel_initializer = { class_name: LEGACY_INITIALIZERS[config.kernel_initializer], config: {} };
  }
  if ('dim_ordering' in config) {
    if (config.dim_ordering === 'th') throw new FieldError('dim_ordering', "'th' (channels first) is not supported; convkit uses channels last");
    delete config.dim_ordering;
  }
  // Keras 3.
  move('batch_shape', 'batch_input_shape');
  if (isObject(config.dtype) && isObject(config.dtype.config)) config.dtype = config.dtype.config.name;
  // tfjs's Dropout draws unseeded masks; convkit's draws seeded ones (see dropout.ts).
  return renamed === 'Dropout' ? 'ConvkitDropout' : renamed;
}

/** Finds the Sequential layer list in any of the JSON forms convkit reads. */
function sequentialLayers(topology: Config, source: string): { name: string; layers: unknown[] } {
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const className = model.class_name;
  if (className !== 'Sequential') {
    throw new ConvkitError(`${source}: convkit reads Sequential models; this file holds ${
      typeof className === 'string' ? `a '${className}' model` : 'no "class_name": "Sequential"'}`);
  }
  // Keras 2.0 wrote a Sequential's config as the bare layer list.
  if (Array.isArray(model.config)) return { name: 'sequential', layers: model.config };
  if (isObject(model.config) && Array.isArray(model.config.layers)) {
    return { name: typeof model.config.name === 'string' ? model.config.name : 'sequential', layers: model.config.layers };
  }
  throw new ConvkitError(`${source}: the Sequential model's "config" must hold a "layers" list`);
}

/**
 * Checks every layer of a Sequential topology (Keras or tfjs JSON form) and infers its
 * shapes and weights, without allocating anything.
 */
export function checkTopology(topology: unknown, source: string): CheckedTopology {
  if (!isObject(topology)) throw new ConvkitError(`${source}: the model topology must be a JSON object`);
  const { name, layers: rawLayers } = sequentialLayers(topology, source);
  if (rawLayers.length === 0) throw new ConvkitError(`${source}: the model has no layers`);
  if (rawLayers.length > MAX_LAYERS) throw new ConvkitError(`${source}: ${rawLayers.length} layers is more than convkit reads (${MAX_LAYERS})`);
  const layers: CheckedLayer[] = [];
  const names = new Set<string>();
  let shape: Shape | null = null;
  let parameters = 0;
  rawLayers.forEach((raw, index) => {
    const where = `${source}: layer ${index + 1}`;
    if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config)) {
      throw new ConvkitError(`${where} must be {"class_name": "...", "config": {...}}`);
    }
    const config: Config = structuredClone(raw.config);
    const layerName = config.name;
    const label = `${where} '${typeof layerName === 'string' ? layerName : '?'}' (${raw.class_name})`;
    try {
      const className = adaptLayer(raw.class_name, config);
      if (!isSupportedLayer(className)) {
        throw new ConvkitError(`${label}: unsupported layer type; convkit reads ${SUPPORTED_LAYERS.join(', ')}`);
      }
      if (typeof layerName !== 'string' || !/^[A-Za-z0-9_.\-]{1,200}$/.test(layerName)) {
        throw new FieldError('name', `must be 1 to 200 letters, digits, '_', '.' or '-', got ${JSON.stringify(layerName)?.slice(0, 40)}`);
      }
      if (names.has(layerName)) throw new FieldError('name', `'${layerName}' is used by an earlier layer`);
      names.add(layerName);
      checkCommonFields(config);
      const declared = declaredInputShape(config);
      if (index === 0 && !declared) {
        throw new FieldError('batch_input_shape', 'is missing: the first layer must declare the input shape');
      }
      const input: Shape = index === 0 || className === 'InputLayer' ? declared ?? (shape as Shape) : shape as Shape;
      const { output, weights } = inferLayer(className, config, input);
      parameters += weights.reduce((total, w) => total + w.shape.reduce((a, b) => a * b, 1), 0);
      if (parameters > MAX_PARAMETERS) {
        throw new ConvkitError(`${label}: brings the model above ${MAX_PARAMETERS.toLocaleString('en-US')} parameters`);
      }
      shape = output;
      layers.push({ className, name: layerName, config, outputShape: output,
        weights: weights.map((w) => ({ name: `${layerName}/${w.name}`, shape: w.shape })) });
    } catch (e) {
      if (e instanceof FieldError) throw new ConvkitError(`${label}: field '${e.field}' ${e.message}`);
      throw e;
    }
  });
  const inputShape = layers[0].className === 'InputLayer'
    ? layers[0].outputShape
    : declaredInputShape(layers[0].config) as Shape;
  const json = {
    class_name: 'Sequential',
    config: { name, layers: layers.map((l) => ({ class_name: l.className, config: l.config })) },
  };
  return { name, inputShape, layers, json };
}

/** Builds the tfjs model of a checked topology (weights start from tfjs's initialisers). */
export async function buildFromTopology(checked: CheckedTopology, source: string): Promise<tfl.Sequential> {
  let model: tfl.LayersModel;
  try {
    model = await tfl.models.modelFromJSON({ modelTopology: checked.json as never });
  } catch (e) {
    const message = String((e as Error)?.message ?? e).replace(/\s*\n\s*/g, ' ');
    throw new ConvkitError(`${source}: TensorFlow.js could not build the model: ${message}`);
  }
  // The checks above and tfjs must agree on every weight; a difference is a convkit bug.
  // tfjs lists trainable weights before the others (BatchNorm's moving statistics), so compare by name.
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const expected = checked.layers.flatMap((l) => l.weights).sort(byName);
  const built = model.weights.map((w) => ({ name: w.originalName, shape: w.shape })).sort(byName);
  if (JSON.stringify(expected) !== JSON.stringify(built)) {
    throw new Error(`convkit's shape inference disagrees with tfjs for ${source}: ${JSON.stringify(expected)} vs ${JSON.stringify(built)}`);
  }
  return model as tfl.Sequential;
}

/** The topology inside a parsed model file, whichever of the known forms it has. */
export function topologyOf(parsed: unknown, source: string): unknown {
  if (isObject(parsed) && 'modelTopology' in parsed) return parsed.modelTopology;
  if (isObject(parsed) && 'class_name' in parsed) return parsed;
  throw new ConvkitError(`${source} is not a model file: expected a Keras model config ("class_name", "config") ` +
    'or a convkit / TensorFlow.js model.json ("modelTopology")');
}

/**
 * A model from an architecture file (Keras to_json, or a model.json without reading its
 * weights). Its weights come from tfjs's initialisers: seed them with initializeWeights.
 */
export async function loadArchitecture(file: string): Promise<tfl.Sequential> {
  const parsed = parseJsonFile(readTextFile(file, 'model file'), file);
  return buildFromTopology(checkTopology(topologyOf(parsed, file), file), file);
}
