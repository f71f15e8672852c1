// What convkit checks in a layer's saved config before tfjs sees it, and the shapes it
// infers from it: each supported layer type's fields (names as Keras writes them), its
// output shape and its weights. Checking first lets a bad file fail with the layer and the
// field named, and lets a file's weights be compared with the model before anything is
// allocated (a corrupt "filters": 1e9 must not try to allocate terabytes).

/** A shape without the batch dimension. */
export type Shape = number[];
export type Config = Record<string, unknown>;

export interface WeightShape {
  /** The weight's name inside its layer, as tfjs and Keras name it ('kernel', 'bias', ...). */
  name: string;
  shape: number[];
}

/** A field-level problem; architecture.ts adds the file and the layer. */
export class FieldError extends Error {
  constructor(readonly field: string, problem: string) {
    super(problem);
  }
}

const MAX_DIMENSION = 1 << 16;
const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softmax',
  'softplus', 'softsign', 'swish', 'mish', 'gelu'];
const INITIALIZERS = ['Zeros', 'Ones', 'Constant', 'RandomNormal', 'RandomUniform', 'TruncatedNormal',
  'VarianceScaling', 'GlorotUniform', 'GlorotNormal', 'HeNormal', 'HeUniform', 'LeCunNormal', 'LeCunUniform',
  'Orthogonal', 'Identity'];
const REGULARIZERS = ['L1L2', 'l1l2'];
const CONSTRAINTS = ['MaxNorm', 'UnitNorm', 'NonNeg', 'MinMaxNorm'];

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

export function wholeNumber(config: Config, field: string, min: number, max: number, fallback?: number): number {
  const value = config[field] ?? fallback;
  if (!isWhole(value, min, max)) {
    throw new FieldError(field, `must be a whole number from ${min} to ${max}, got ${describe(config[field])}`);
  }
  return value;
}

/** An int or a pair of ints (Keras accepts both for kernel sizes, strides, ...). */
function pair(config: Config, field: string, min: number, max: number, fallback?: [number, number]): [number, number] {
  const value = config[field] ?? fallback;
  if (isWhole(value, min, max)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => isWhole(v, min, max))) {
    return [value[0], value[1]];
  }
  throw new FieldError(field, `must be a whole number or a pair of whole numbers from ${min} to ${max}, got ${describe(config[field])}`);
}

function choice<T extends string>(config: Config, field: string, allowed: readonly T[], fallback?: T): T {
  const value = config[field] ?? fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new FieldError(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(config[field])}`);
  }
  return value as T;
}

function flag(config: Config, field: string, fallback: boolean): boolean {
  const value = config[field] ?? fallback;
  if (typeof value !== 'boolean') throw new FieldError(field, `must be true or false, got ${describe(config[field])}`);
  return value;
}

function fraction(config: Config, field: string, fallback?: number): number {
  const value = config[field] ?? fallback;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new FieldError(field, `must be a number in [0, 1), got ${describe(config[field])}`);
  }
  return value;
}

function positive(config: Config, field: string, fallback: number): number {
  const value = config[field] ?? fallback;
  if (typeof value !== 'number' || !(value > 0 && value < 1e6)) {
    throw new FieldError(field, `must be a positive number, got ${describe(config[field])}`);
  }
  return value;
}

function finite(config: Config, field: string, fallback: number): number {
  const value = config[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new FieldError(field, `must be a number, got ${describe(config[field])}`);
  return value;
}

/** Initialisers, regularisers and constraints are null or {class_name, config}. */
function kerasObject(config: Config, field: string, allowed: string[]): void {
  const value = config[field];
  if (value == null) return;
  const object = value as Config;
  if (typeof value !== 'object' || Array.isArray(value) || typeof object.class_name !== 'string' ||
    !allowed.includes(object.class_name) || typeof object.config !== 'object' || object.config === null || Array.isArray(object.config)) {
    throw new FieldError(field, `must be null or {"class_name": ${allowed.slice(0, 4).map((a) => `"${a}"`).join('|')}|..., "config": {...}}, ` +
      `got ${describe(value)}`);
  }
}

function activation(config: Config, fallback?: string): void {
  choice(config, 'activation', ACTIVATIONS, fallback);
}

function channelsLast(config: Config): void {
  choice(config, 'data_format', ['channels_last'], 'channels_last');
}

/** The options of a kernel layer (Conv2D, Dense) that do not change shapes. */
function kernelOptions(config: Config): boolean {
  activation(config, 'linear');
  for (const field of ['kernel_initializer', 'bias_initializer']) kerasObject(config, field, INITIALIZERS);
  for (const field of ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer']) kerasObject(config, field, REGULARIZERS);
  for (const field of ['kernel_constraint', 'bias_constraint']) kerasObject(config, field, CONSTRAINTS);
  return flag(config, 'use_bias', true);
}

function image(input: Shape, field = 'input'): [number, number, number] {
  if (input.length !== 3) {
    throw new FieldError(field, `needs an image input (height, width, channels), got shape (${input.join(', ')})`);
  }
  return input as [number, number, number];
}

/** Output length of a convolution or pooling window sliding over `size` positions. */
function slide(size: number, window: number, stride: number, padding: 'valid' | 'same', field: string): number {
  const out = padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
  if (out < 1) throw new FieldError(field, `${window} is larger than its input (${size}) with padding 'valid'`);
  return out;
}

function pooling(config: Config, input: Shape): Shape {
  const [height, width, channels] = image(input);
  const size = pair(config, 'pool_size', 1, MAX_DIMENSION, [2, 2]);
  const strides = pair(config, 'strides', 1, MAX_DIMENSION, size);
  const padding = choice(config, 'padding', ['valid', 'same'], 'valid');
  channelsLast(config);
  return [slide(height, size[0], strides[0], padding, 'pool_size'), slide(width, size[1], strides[1], padding, 'pool_size'), channels];
}

interface LayerSpec {
  outputShape(config: Config, input: Shape): Shape;
  weights?(config: Config, input: Shape): WeightShape[];
}

const conv2d: LayerSpec = {
  outputShape(config, input) {
    const [height, width] = image(input);
    const filters = wholeNumber(config, 'filters', 1, MAX_DIMENSION);
    const kernel = pair(config, 'kernel_size', 1, 1024);
    const strides = pair(config, 'strides', 1, 1024, [1, 1]);
    const dilation = pair(config, 'dilation_rate', 1, 1024, [1, 1]);
    const padding = choice(config, 'padding', ['valid', 'same'], 'valid');
    channelsLast(config);
    wholeNumber(config, 'groups', 1, 1, 1);
    kernelOptions(config);
    if (Math.max(...strides) > 1 && Math.max(...dilation) > 1) {
      throw new FieldError('dilation_rate', 'must be 1 when strides are above 1 (tfjs supports one or the other)');
    }
    const span = (k: number, d: number) => d * (k - 1) + 1;
    return [slide(height, span(kernel[0], dilation[0]), strides[0], padding, 'kernel_size'),
      slide(width, span(kernel[1], dilation[1]), strides[1], padding, 'kernel_size'), filters];
  },
  weights(config, input) {
    const filters = config.filters as number;
    const kernel = pair(config, 'kernel_size', 1, 1024);
    return [{ name: 'kernel', shape: [kernel[0], kernel[1], input[2], filters] },
      ...(flag(config, 'use_bias', true) ? [{ name: 'bias', shape: [filters] }] : [])];
  },
};

const dense: LayerSpec = {
  outputShape(config, input) {
    if (input.length < 1) throw new FieldError('input', 'needs at least one dimension');
    const units = wholeNumber(config, 'units', 1, 1 << 20);
    kernelOptions(config);
    return [...input.slice(0, -1), units];
  },
  weights(config, input) {
    const units = config.units as number;
    return [{ name: 'kernel', shape: [input[input.length - 1], units] },
      ...(flag(config, 'use_bias', true) ? [{ name: 'bias', shape: [units] }] : [])];
  },
};

const dropoutSpec: LayerSpec = {
  outputShape(config, input) {
    fraction(config, 'rate');
    const noise = config.noise_shape;
    if (noise != null && !(Array.isArray(noise) && noise.length === input.length + 1 &&
      noise.every((d) => d === null || isWhole(d, 1, MAX_DIMENSION)))) {
      throw new FieldError('noise_shape', `must be null or ${input.length + 1} sizes (null or >= 1), got ${describe(noise)}`);
    }
    if (config.seed != null) wholeNumber(config, 'seed', 0, Number.MAX_SAFE_INTEGER);
    return input;
  },
};

const batchNormalization: LayerSpec = {
  outputShape(config, input) {
    const axis = Array.isArray(config.axis) && config.axis.length === 1 ? config.axis[0] : (config.axis ?? -1);
    if (axis !== -1 && axis !== input.length) {
      throw new FieldError('axis', `must be -1 (the channels), got ${describe(config.axis)}`);
    }
    positive(config, 'epsilon', 1e-3);
    positive(config, 'momentum', 0.99);
    for (const field of ['beta_initializer', 'gamma_initializer', 'moving_mean_initializer', 'moving_variance_initializer']) {
      kerasObject(config, field, INITIALIZERS);
    }
    return input;
  },
  weights(config, input) {
    const channels = [input[input.length - 1]];
    return [
      ...(flag(config, 'scale', true) ? [{ name: 'gamma', shape: channels }] : []),
      ...(flag(config, 'center', true) ? [{ name: 'beta', shape: channels }] : []),
      { name: 'moving_mean', shape: channels },
      { name: 'moving_variance', shape: channels },
    ];
  },
};

/** Every layer type convkit reads, by Keras class name. */
const LAYER_SPECS: Record<string, LayerSpec> = {
  Conv2D: conv2d,
  Dense: dense,
  Activation: {
    outputShape(config, input) {
      activation(config);
      return input;
    },
  },
  MaxPooling2D: { outputShape: pooling },
  AveragePooling2D: { outputShape: pooling },
  GlobalMaxPooling2D: { outputShape: (config, input) => (channelsLast(config), [image(input)[2]]) },
  GlobalAveragePooling2D: { outputShape: (config, input) => (channelsLast(config), [image(input)[2]]) },
  Flatten: { outputShape: (config, input) => (channelsLast(config), [input.reduce((a, b) => a * b, 1)]) },
  Dropout: dropoutSpec,
  ConvkitDropout: dropoutSpec,
  BatchNormalization: batchNormalization,
  Rescaling: {
    outputShape(config, input) {
      finite(config, 'scale', 1);
      finite(config, 'offset', 0);
      return input;
    },
  },
  ZeroPadding2D: {
    outputShape(config, input) {
      const [height, width, channels] = image(input);
      const raw = config.padding ?? 1;
      const pads = Array.isArray(raw) && raw.every(Array.isArray) ? raw as unknown[][] : null;
      const [vertical, horizontal] = pads && pads.length === 2 && pads.every((p) => p.length === 2 && p.every((v) => isWhole(v, 0, MAX_DIMENSION)))
        ? pads.map((p) => (p[0] as number) + (p[1] as number))
        : pair(config, 'padding', 0, MAX_DIMENSION).map((p) => 2 * p);
      return [height + vertical, width + horizontal, channels];
    },
  },
  InputLayer: { outputShape: (_config, input) => input },
};

export const SUPPORTED_LAYERS = Object.keys(LAYER_SPECS);

export function isSupportedLayer(className: string): boolean {
  return Object.prototype.hasOwnProperty.call(LAYER_SPECS, className);
}

/** The layer's output shape and weights for `input`; throws FieldError on a bad field. */
export function inferLayer(className: string, config: Config, input: Shape): { output: Shape; weights: WeightShape[] } {
  const spec = LAYER_SPECS[className];
  const output = spec.outputShape(config, input);
  if (output.some((d) => !(d >= 1 && d <= Number.MAX_SAFE_INTEGER))) {
    throw new FieldError('input', `gives an impossible output shape (${output.join(', ')})`);
  }
  return { output, weights: spec.weights ? spec.weights(config, input) : [] };
}

/** The common fields every layer may carry. */
export function checkCommonFields(config: Config): void {
  if (config.trainable != null) flag(config, 'trainable', true);
  const dtype = config.dtype;
  if (dtype != null && dtype !== 'float32') throw new FieldError('dtype', `must be 'float32', got ${describe(dtype)}`);
}

/** A declared input shape: `batch_input_shape` [null, h, w, c] (Keras) or `input_shape` [h, w, c]. */
export function declaredInputShape(config: Config): Shape | null {
  if (config.batch_input_shape != null) {
    const value = config.batch_input_shape;
    if (!Array.isArray(value) || value.length < 2 || !(value[0] === null || isWhole(value[0], 1, MAX_DIMENSION)) ||
      !value.slice(1).every((d) => isWhole(d, 1, MAX_DIMENSION))) {
      throw new FieldError('batch_input_shape', `must be [null, then positive sizes], got ${describe(value)}`);
    }
    return value.slice(1) as number[];
  }
  if (config.input_shape != null) {
    const value = config.input_shape;
    if (!Array.isArray(value) || value.length < 1 || !value.every((d) => isWhole(d, 1, MAX_DIMENSION))) {
      throw new FieldError('input_shape', `must be a list of positive sizes, got ${describe(value)}`);
    }
    return value as number[];
  }
  return null;
}
