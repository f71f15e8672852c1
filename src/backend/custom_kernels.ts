// Kernels tfjs does not have, with JS implementations for tfjs's `cpu` backend so code
// using them runs on either backend (and tests can compare the two).
import { Conv2DBackpropFilter, Conv2DBackpropFilterAttrs, Conv2DBackpropInput, Conv2DBackpropInputAttrs, FusedConv2D,
  FusedConv2DAttrs, KernelConfig, KernelFunc, NamedAttrMap, registerGradient, registerKernel, Relu, Tensor, TensorInfo }
  from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

import { Backend, KernelArgs, cpuKernel, floatsOf, sizeOf } from './kernel_utils';
import { isRectified, markReluGradientApplied, reluGradientSums, takesReluGradientFromAbove } from './rectified';

export const RELU_GRAD = 'ConvkitReluGrad';
/** ReluGrad from the relu's output and, in the same pass, its sum over all but the last axis (a bias gradient). */
export const RELU_GRAD_BIAS = 'ConvkitReluGradBias';
export const DROPOUT_MASK = 'ConvkitDropoutMask';
/** x times the dropout mask of (rate, seed), in one pass, the mask never stored; its gradient is itself. */
export const DROPOUT_APPLY = 'ConvkitDropoutApply';
/**
 * One Adam step for a model's variables, in place, with no outputs. Inputs: accBeta1 and
 * accBeta2 (tfjs's running powers of the betas, multiplied by them after the step), and for
 * each variable i value{i}, m{i}, v{i} (updated) and gradient{i}. Each updated tensor must be
 * the only one holding its data (optimizers/hold_alone.ts makes it so).
 */
export const ADAM_UPDATE = 'ConvkitAdamUpdate';
export const SGD_UPDATE = 'ConvkitSgdUpdate';
export const BATCH_NORM_TRAINING = 'ConvkitBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'ConvkitBatchNormTrainingGrad';
export const GELU = 'ConvkitGelu';
export const GELU_GRAD = 'ConvkitGeluGrad';
/** tfjs's FusedConv2D (linear or relu) under convkit's name, which has a gradient per input (see below). */
export const FUSED_CONV2D = 'ConvkitFusedConv2D';
/**
 * A conv's filter and bias gradients from its output gradient dy, through its relu when
 * its output y is given: Conv2DBackpropFilter and the Sum of ReluGrad(dy, y), in one pass
 * over dy where the native filter gradient reads the patches row by row.
 */
export const CONV2D_FILTER_BIAS_GRAD = 'ConvkitConv2DFilterBiasGrad';
/**
 * Conv2DBackpropInput (inputs dy and filter, its attrs) of a conv whose input y is a relu's
 * output, taken on through that relu: dx masked where y is 0, marked with its channel sums
 * (the bias gradient of the conv below: rectified.ts), so that conv's gradient needs no pass
 * of its own over dx.
 */
export const CONV2D_BACKPROP_INPUT_RELU = 'ConvkitConv2DBackpropInputRelu';
/**
 * Keras's categorical cross-entropy of probabilities, one loss per row (tfjs-layers'
 * categoricalCrossentropy in one kernel), and its gradient by the probabilities.
 */
export const CATEGORICAL_CROSSENTROPY = 'ConvkitCategoricalCrossentropy';
export const CATEGORICAL_CROSSENTROPY_GRAD = 'ConvkitCategoricalCrossentropyGrad';
export type CategoricalCrossentropyInputs = { labels: TensorInfo; probabilities: TensorInfo };

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}
export type AdamUpdateInputs = Record<string, TensorInfo>;

/**
 * The float32 values of `t`, which the caller will overwrite: `t` must hold its data alone,
 * and when `own` gives a new array (the values may be seen elsewhere, say by a dataSync
 * caller), that copy becomes t's data.
 */
export function valuesToUpdate(backend: Backend, t: TensorInfo, own: (values: Float32Array) => Float32Array): Float32Array {
  const record = backend.data.get(t.dataId);
  if (record.refCount !== 1 || !(record.values instanceof Float32Array)) {
    throw new Error(`convkit: an update in place needs a float32 tensor that alone holds its data (shape [${t.shape}])`);
  }
  record.values = own(record.values);
  return record.values;
}

/**
 * Runs an ADAM_UPDATE call: `update` gets the arrays [value, m, v, gradient] of every
 * variable in turn (value, m and v from valuesToUpdate with `own`) and the scalars [beta1,
 * beta2, 1-beta1, 1-beta2, 1-accBeta1, 1-accBeta2, epsilon, -learningRate], each rounded to
 * float32 as tfjs's AdamOptimizer rounds it.
 */
export function runAdamUpdate(
  { inputs, backend, attrs }: KernelArgs<AdamUpdateInputs, AdamUpdateAttrs>,
  own: (values: Float32Array) => Float32Array,
  update: (arrays: Float32Array[], scalars: Float32Array) => void,
): TensorInfo[] {
  const [accBeta1, accBeta2] = [inputs.accBeta1, inputs.accBeta2].map((t) => valuesToUpdate(backend, t, own));
  const scalars = Float32Array.from([attrs.beta1, attrs.beta2, 1 - attrs.beta1, 1 - attrs.beta2, 1 - accBeta1[0],
    1 - accBeta2[0], attrs.epsilon, -attrs.learningRate]);
  const arrays: Float32Array[] = [];
  for (let i = 0; `value${i}` in inputs; i++) {
    for (const name of ['value', 'm', 'v']) arrays.push(valuesToUpdate(backend, inputs[`${name}${i}`], own));
    const gradient = floatsOf(backend, inputs[`gradient${i}`]);
    if (!gradient) throw new Error('convkit: Adam updates float32 variables only');
    arrays.push(gradient);
  }
  update(arrays, scalars);
  accBeta1[0] *= Math.fround(attrs.beta1);  // the Float32Array rounds the product, as tf.mul does
  accBeta2[0] *= Math.fround(attrs.beta2);
  return [];
}

/** [learningRate, weightDecay, momentum], float32; nesterov selects Nesterov's look-ahead. */
export interface SgdUpdateAttrs {
  scalars: number[];
  nesterov: boolean;
}
export type SgdUpdateInputs = { value: TensorInfo; momentumBuffer: TensorInfo; gradient: TensorInfo };

/** Channels last: x is [..., C]; gamma and beta are [C], or absent for 1 and 0. */
export type BatchNormTrainingInputs = { x: TensorInfo; gamma?: TensorInfo; beta?: TensorInfo };
/** mean and variance are the forward kernel's batch statistics. */
export type BatchNormTrainingGradInputs = {
  dy: TensorInfo; x: TensorInfo; mean: TensorInfo; variance: TensorInfo; gamma?: TensorInfo;
};
export interface BatchNormTrainingAttrs {
  epsilon: number;
}

export interface DropoutMaskAttrs {
  shape: number[];
  rate: number;
  seed: number;
}
export type DropoutApplyAttrs = Omit<DropoutMaskAttrs, 'shape'>;

/** The 32-bit hash of native/src/kernels/dropout_mask.cc, in JS. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function reluGradCpu({ inputs, backend }: KernelArgs<{ dy: TensorInfo; x: TensorInfo }, object>): TensorInfo {
  const dy = backend.data.get(inputs.dy.dataId).values as Float32Array;
  const x = backend.data.get(inputs.x.dataId).values as Float32Array;
  const dx = new Float32Array(dy.length);
  for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dy[i] : Number.isNaN(x[i]) ? NaN : dy[i] * 0;
  return backend.makeTensorInfo(inputs.dy.shape.slice(), 'float32', dx);
}

/** The sums over all but the last axis, in double (a bias gradient). */
function channelSumValues(backend: Backend, t: TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values as Float32Array;
  const channels = t.shape[t.shape.length - 1];
  const sums = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) sums[i % channels] += values[i];
  return Float32Array.from(sums);
}

function channelSumsCpu(backend: Backend, t: TensorInfo): TensorInfo {
  return backend.makeTensorInfo([t.shape[t.shape.length - 1]], 'float32', channelSumValues(backend, t));
}

function reluGradBiasCpu({ inputs, backend }: KernelArgs<{ dy: TensorInfo; y: TensorInfo }, object>): TensorInfo[] {
  const dz = reluGradCpu({ inputs: { dy: inputs.dy, x: inputs.y }, backend, attrs: {} });
  return [dz, channelSumsCpu(backend, dz)];
}

function conv2DFilterBiasGradCpu(
  { inputs, backend, attrs }: KernelArgs<{ x: TensorInfo; dy: TensorInfo; y?: TensorInfo }, Conv2DBackpropFilterAttrs>,
): TensorInfo[] {
  const dz = inputs.y ? reluGradCpu({ inputs: { dy: inputs.dy, x: inputs.y }, backend, attrs: {} }) : inputs.dy;
  const dfilter = cpuKernel(Conv2DBackpropFilter)({ inputs: { x: inputs.x, dy: dz }, backend, attrs } as
    unknown as Parameters<KernelFunc>[0]) as TensorInfo;
  const dbias = channelSumsCpu(backend, dz);
  if (dz !== inputs.dy) backend.disposeData(dz.dataId);
  return [dfilter, dbias];
}

function conv2DBackpropInputReluCpu(
  { inputs, backend, attrs }: KernelArgs<{ dy: TensorInfo; filter: TensorInfo; y: TensorInfo }, Conv2DBackpropInputAttrs>,
): TensorInfo {
  const dx = cpuKernel(Conv2DBackpropInput)({ inputs: { dy: inputs.dy, filter: inputs.filter }, backend, attrs } as
    unknown as Parameters<KernelFunc>[0]) as TensorInfo;
  const dz = reluGradCpu({ inputs: { dy: dx, x: inputs.y }, backend, attrs: {} });
  backend.disposeData(dx.dataId);
  markReluGradientApplied(dz, inputs.y, channelSumValues(backend, dz));
  return dz;
}

/** The mask native/src/kernels/dropout_mask.cc computes, in JS. */
function dropoutMaskValues(size: number, rate: number, seed: number): Float32Array {
  const keep = Math.fround(1 - Math.fround(rate)), scale = Math.fround(1 / keep);
  const threshold = Math.trunc(keep * 16777216);
  const base = mix32(seed >>> 0);
  const mask = new Float32Array(size);
  for (let i = 0; i < mask.length; i++) mask[i] = mix32((base + i) >>> 0) >>> 8 < threshold ? scale : 0;
  return mask;
}

function dropoutMaskCpu({ backend, attrs }: KernelArgs<object, DropoutMaskAttrs>): TensorInfo {
  return backend.makeTensorInfo(attrs.shape.slice(), 'float32', dropoutMaskValues(sizeOf(attrs.shape), attrs.rate, attrs.seed));
}

function dropoutApplyCpu({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, DropoutApplyAttrs>): TensorInfo {
  const x = backend.data.get(inputs.x.dataId).values as Float32Array;
  const y = dropoutMaskValues(x.length, attrs.rate, attrs.seed);
  for (let i = 0; i < y.length; i++) y[i] *= x[i];
  return backend.makeTensorInfo(inputs.x.shape.slice(), 'float32', y);
}

function adamUpdateCpu(args: KernelArgs<AdamUpdateInputs, AdamUpdateAttrs>): TensorInfo[] {
  // tfjs's cpu backend hands its arrays out (dataSync), so each update goes into a copy.
  return runAdamUpdate(args, (values) => values.slice(), (arrays, scalars) => {
    const [b1, b2, c1, c2, acc1, acc2, eps, step] = scalars;
    const f = Math.fround;
    for (let k = 0; k < arrays.length; k += 4) {
      const [value, m, v, g] = arrays.slice(k, k + 4);
      for (let i = 0; i < value.length; i++) {
        const mi = f(f(m[i] * b1) + f(g[i] * c1)), vi = f(f(v[i] * b2) + f(f(g[i] * g[i]) * c2));
        value[i] = f(f(f(f(mi / acc1) / f(f(Math.sqrt(f(vi / acc2))) + eps)) * step) + value[i]);
        m[i] = mi;
        v[i] = vi;
      }
    }
  });
}

function sgdUpdateCpu({ inputs, backend, attrs }: KernelArgs<SgdUpdateInputs, SgdUpdateAttrs>): TensorInfo[] {
  const read = (t: TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const [value, buffer, g] = [inputs.value, inputs.momentumBuffer, inputs.gradient].map(read);
  const [learningRate, weightDecay, momentum] = attrs.scalars.map(Math.fround);
  const f = Math.fround;
  const newValue = new Float32Array(value.length), newBuffer = new Float32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const direction = f(g[i] + f(weightDecay * value[i]));
    const b = f(f(momentum * buffer[i]) + direction);
    const step = attrs.nesterov ? f(direction + f(momentum * b)) : b;
    newValue[i] = f(value[i] - f(learningRate * step));
    newBuffer[i] = b;
  }
  return [newValue, newBuffer].map((values) => backend.makeTensorInfo(inputs.value.shape.slice(), 'float32', values));
}

/** The bounds tfjs-layers clips probabilities to, as float32. */
const [CLIP_LOW, CLIP_HIGH] = [Math.fround(1e-7), Math.fround(1 - 1e-7)];

/** Rows of `classes` floats: each row's sum in double, then rounded (as a Sum). */
function rowSums(p: Float32Array, classes: number): Float32Array {
  const sums = new Float32Array(p.length / classes);
  for (let r = 0; r < sums.length; r++) {
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += p[r * classes + j];
    sums[r] = sum;
  }
  return sums;
}

/** tfjs's clipByValue to [1e-7, 1 - 1e-7] (NaN stays NaN). */
function clippedProbability(q: number): number {
  return q > CLIP_HIGH ? CLIP_HIGH : (q < CLIP_LOW ? CLIP_LOW : q);
}

/** native/src/kernels/categorical_crossentropy.cc, in JS: float steps, sums in double. */
function categoricalCrossentropyCpu({ inputs, backend }: KernelArgs<CategoricalCrossentropyInputs, object>): TensorInfo {
  const f = Math.fround;
  const t = backend.data.get(inputs.labels.dataId).values as Float32Array;
  const p = backend.data.get(inputs.probabilities.dataId).values as Float32Array;
  const shape = inputs.probabilities.shape, classes = shape[shape.length - 1];
  const sums = rowSums(p, classes), loss = new Float32Array(sums.length);
  for (let r = 0; r < sums.length; r++) {
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += f(t[r * classes + j] * f(Math.log(clippedProbability(f(p[r * classes + j] / sums[r])))));
    loss[r] = -f(sum);
  }
  return backend.makeTensorInfo(shape.slice(0, -1), 'float32', loss);
}

function categoricalCrossentropyGradCpu(
  { inputs, backend }: KernelArgs<CategoricalCrossentropyInputs & { dy: TensorInfo }, object>,
): TensorInfo {
  const f = Math.fround;
  const read = (info: TensorInfo) => backend.data.get(info.dataId).values as Float32Array;
  const [dy, t, p] = [read(inputs.dy), read(inputs.labels), read(inputs.probabilities)];
  const shape = inputs.probabilities.shape, classes = shape[shape.length - 1];
  const sums = rowSums(p, classes), dp = new Float32Array(p.length);
  for (let r = 0; r < sums.length; r++) {
    const s = sums[r];
    let weighted = 0;
    for (let j = r * classes; j < (r + 1) * classes; j++) {
      const q = f(p[j] / s);
      dp[j] = q >= CLIP_LOW && q <= CLIP_HIGH ? f(f(-dy[r] * t[j]) / clippedProbability(q)) : 0;
      weighted += f(dp[j] * p[j]);
    }
    const ds = -f(f(weighted) / f(s * s));
    for (let j = r * classes; j < (r + 1) * classes; j++) dp[j] = f(f(dp[j] / s) + ds);
  }
  return backend.makeTensorInfo(shape.slice(), 'float32', dp);
}

/** Batch statistics in double, two passes (the reference the native kernel is tested against). */
function batchNormTrainingCpu(
  { inputs, backend, attrs }: KernelArgs<BatchNormTrainingInputs, BatchNormTrainingAttrs>,
): TensorInfo[] {
  const x = backend.data.get(inputs.x.dataId).values as Float32Array;
  const gamma = floatsOf(backend, inputs.gamma), beta = floatsOf(backend, inputs.beta);
  const channels = inputs.x.shape[inputs.x.shape.length - 1], rows = x.length / channels;
  const mean = new Float64Array(channels), variance = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) mean[i % channels] += x[i];
  for (let c = 0; c < channels; c++) mean[c] /= rows;
  for (let i = 0; i < x.length; i++) variance[i % channels] += (x[i] - mean[i % channels]) ** 2;
  for (let c = 0; c < channels; c++) variance[c] /= rows;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    y[i] = (x[i] - mean[c]) / Math.sqrt(variance[c] + attrs.epsilon) * (gamma ? gamma[c] : 1) + (beta ? beta[c] : 0);
  }
  return [
    backend.makeTensorInfo(inputs.x.shape.slice(), 'float32', y),
    backend.makeTensorInfo([channels], 'float32', Float32Array.from(mean)),
    backend.makeTensorInfo([channels], 'float32', Float32Array.from(variance)),
  ];
}

function batchNormTrainingGradCpu(
  { inputs, backend, attrs }: KernelArgs<BatchNormTrainingGradInputs, BatchNormTrainingAttrs>,
): TensorInfo[] {
  const [dy, x, mean, variance] = [inputs.dy, inputs.x, inputs.mean, inputs.variance]
    .map((t) => backend.data.get(t.dataId).values as Float32Array);
  const gamma = floatsOf(backend, inputs.gamma);
  const channels = mean.length, rows = x.length / channels;
  const rstd = Float64Array.from(variance, (v) => 1 / Math.sqrt(v + attrs.epsilon));
  const sumDy = new Float64Array(channels), sumDyXhat = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    sumDy[c] += dy[i];
    sumDyXhat[c] += dy[i] * (x[i] - mean[c]) * rstd[c];
  }
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels, xhat = (x[i] - mean[c]) * rstd[c];
    dx[i] = (gamma ? gamma[c] : 1) * rstd[c] * (dy[i] - sumDy[c] / rows - xhat * sumDyXhat[c] / rows);
  }
  return [
    backend.makeTensorInfo(inputs.x.shape.slice(), 'float32', dx),
    backend.makeTensorInfo([channels], 'float32', Float32Array.from(sumDyXhat)),
    backend.makeTensorInfo([channels], 'float32', Float32Array.from(sumDy)),
  ];
}

// Abramowitz and Stegun 26.2.17: 1 - Φ(a) = φ(a) t P(t) with t = 1 / (1 + 0.2316419 a), a >= 0.
const UPPER_TAIL = [1.330274429, -1.821255978, 1.781477937, -0.356563782, 0.319381530];

/** Φ(x) and x φ(x) as native/src/kernels/gelu.h computes them (limits included), in double. */
function normalAt(x: number): { cdf: number; xPdf: number } {
  const a = Math.abs(x), pdf = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI), t = 1 / (1 + 0.2316419 * a);
  const upperTail = a >= 5.54 ? 0 : pdf * t * UPPER_TAIL.reduce((acc, k) => acc * t + k);
  return { cdf: x < 0 ? upperTail : 1 - upperTail, xPdf: a >= 12.5 ? 0 : x * pdf };
}

function geluCpu({ inputs, backend }: KernelArgs<{ x: TensorInfo }, object>): TensorInfo {
  const x = backend.data.get(inputs.x.dataId).values as Float32Array;
  return backend.makeTensorInfo(inputs.x.shape.slice(), 'float32', x.map((v) => v * normalAt(v).cdf));
}

function geluGradCpu({ inputs, backend }: KernelArgs<{ dy: TensorInfo; x: TensorInfo }, object>): TensorInfo {
  const dy = backend.data.get(inputs.dy.dataId).values as Float32Array;
  const x = backend.data.get(inputs.x.dataId).values as Float32Array;
  return backend.makeTensorInfo(inputs.x.shape.slice(), 'float32', dy.map((g, i) => {
    const { cdf, xPdf } = normalAt(x[i]);
    return g * (cdf + xPdf);
  }));
}

/** tfjs's own FusedConv2D kernel of the cpu backend, looked up when first called. */
function fusedConv2DCpu(args: Parameters<KernelFunc>[0]) {
  return cpuKernel(FusedConv2D)(args);
}

const cpuImplementations: KernelConfig[] = [
  { kernelName: RELU_GRAD, backendName: 'cpu', kernelFunc: reluGradCpu as unknown as KernelFunc },
  { kernelName: RELU_GRAD_BIAS, backendName: 'cpu', kernelFunc: reluGradBiasCpu as unknown as KernelFunc },
  { kernelName: DROPOUT_MASK, backendName: 'cpu', kernelFunc: dropoutMaskCpu as unknown as KernelFunc },
  { kernelName: DROPOUT_APPLY, backendName: 'cpu', kernelFunc: dropoutApplyCpu as unknown as KernelFunc },
  { kernelName: ADAM_UPDATE, backendName: 'cpu', kernelFunc: adamUpdateCpu as unknown as KernelFunc },
  { kernelName: SGD_UPDATE, backendName: 'cpu', kernelFunc: sgdUpdateCpu as unknown as KernelFunc },
  { kernelName: BATCH_NORM_TRAINING, backendName: 'cpu', kernelFunc: batchNormTrainingCpu as unknown as KernelFunc },
  { kernelName: BATCH_NORM_TRAINING_GRAD, backendName: 'cpu', kernelFunc: batchNormTrainingGradCpu as unknown as KernelFunc },
  { kernelName: GELU, backendName: 'cpu', kernelFunc: geluCpu as unknown as KernelFunc },
  { kernelName: GELU_GRAD, backendName: 'cpu', kernelFunc: geluGradCpu as unknown as KernelFunc },
  { kernelName: FUSED_CONV2D, backendName: 'cpu', kernelFunc: fusedConv2DCpu },
  { kernelName: CONV2D_FILTER_BIAS_GRAD, backendName: 'cpu', kernelFunc: conv2DFilterBiasGradCpu as unknown as KernelFunc },
  {
    kernelName: CONV2D_BACKPROP_INPUT_RELU, backendName: 'cpu',
    kernelFunc: conv2DBackpropInputReluCpu as unknown as KernelFunc,
  },
  { kernelName: CATEGORICAL_CROSSENTROPY, backendName: 'cpu', kernelFunc: categoricalCrossentropyCpu as unknown as KernelFunc },
  {
    kernelName: CATEGORICAL_CROSSENTROPY_GRAD, backendName: 'cpu',
    kernelFunc: categoricalCrossentropyGradCpu as unknown as KernelFunc,
  },
];

/** Inputs of fewer channels than this (an image's) are taken for a model's input, whose gradient training skips. */
const FIRST_LAYER_CHANNELS = 8;

/**
 * Whether a conv of input x is taken for a model's first layer, whose filter and bias
 * gradients come from one pass over dy (CONV2D_FILTER_BIAS_GRAD), the relu's mask applied there.
 */
export function isFirstLayerInput(x: TensorInfo): boolean {
  return (x.shape[3] ?? 0) < FIRST_LAYER_CHANNELS;
}

/**
 * The gradients of ConvkitFusedConv2D, one function per input. The engine calls only those
 * of the inputs on a path from what it differentiates: a training step skips the first
 * layer's input gradient and a frozen kernel's filter gradient, and a gradient for the
 * input image skips every filter and bias gradient. (tf.fused.conv2d's customGrad computes
 * all three every time.)
 */
function fusedConv2DGradient(dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  const [x, filter, y] = saved;
  const { strides, pad, dimRoundingMode, dilations, activation } = attrs as unknown as FusedConv2DAttrs;
  if (!tf.backend_util.tupleValuesAreOne(dilations ?? 1)) {
    throw new Error(`the gradient of ${FUSED_CONV2D} needs dilations of 1 (as tfjs's conv2d gradient), got ${dilations}`);
  }
  const relu = activation === 'relu';
  const convAttrs = { strides, pad, dimRoundingMode, dataFormat: 'NHWC' as const };
  const filterAttrs = { ...convAttrs, filterShape: filter.shape } as unknown as NamedAttrMap;
  // Where x is the output of a relu fused into the conv below (rectified.ts), dx goes on
  // through that relu here, as it is written, and comes marked with the sums that conv's bias
  // gradient needs: that conv's gradient then has no pass of its own over dx.
  const inputGradient = (linearDy: Tensor) => {
    const inputAttrs = { ...convAttrs, inputShape: x.shape } as unknown as NamedAttrMap;
    return (takesReluGradientFromAbove(x)
      ? tf.engine().runKernel(CONV2D_BACKPROP_INPUT_RELU, { dy: linearDy, filter, y: x }, inputAttrs)
      : tf.engine().runKernel(Conv2DBackpropInput, { dy: linearDy, filter }, inputAttrs)) as Tensor;
  };
  // dy is the gradient before the activation already: no relu, or the layer above applied
  // relu's gradient (a max pool, or a conv as above: rectified.ts) and summed it for the bias.
  const summedAbove = relu ? reluGradientSums(dy as Tensor, y) : undefined;
  const masked = !relu || summedAbove !== undefined;
  if (isFirstLayerInput(x)) {
    // A model's first layer, whose input gradient training does not ask for: its filter and
    // bias gradients come from one kernel, in one pass over dy. The engine asks for the
    // filter's before the bias's (the inputs' order), so the filter's leaves the bias
    // gradient's values for the bias's: values, not a tensor, so that nothing is left
    // undisposed when the bias's gradient is not asked for.
    let biasValues: Float32Array | null = summedAbove ?? null;
    const linearDy = () => masked ? dy as Tensor : tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x: y }) as Tensor;
    return {
      x: () => inputGradient(linearDy()),
      filter: () => {
        const [filterGradient, biasGradient] = tf.engine().runKernel(CONV2D_FILTER_BIAS_GRAD,
          masked ? { x, dy: dy as Tensor } : { x, dy: dy as Tensor, y }, filterAttrs) as Tensor[];
        biasValues ??= (biasGradient.dataSync() as Float32Array).slice();
        return filterGradient;
      },
      bias: () => biasValues ? tf.tensor1d(biasValues) : tf.sum(linearDy(), [0, 1, 2]),
    };
  }
  // The gradient before the activation. With relu it comes with the bias gradient from
  // one pass over dy, done once here for whichever of the gradients below are asked for
  // (the engine keeps it until the backward pass ends, as it keeps every dy).
  const [linearDy, biasGradient] = masked
    ? [dy as Tensor, null]
    : tf.engine().runKernel(RELU_GRAD_BIAS, { dy: dy as Tensor, y }) as Tensor[];
  return {
    x: () => inputGradient(linearDy),
    filter: () => tf.engine().runKernel(Conv2DBackpropFilter, { x, dy: linearDy }, filterAttrs) as Tensor,
    bias: () => biasGradient ?? (summedAbove ? tf.tensor1d(summedAbove) : tf.sum(linearDy, [0, 1, 2])),
  };
}

let registered = false;

/**
 * Registers the JS kernels, routes relu's gradient through ConvkitReluGrad and gives
 * ConvkitGelu its gradient, ConvkitGeluGrad, ConvkitCategoricalCrossentropy and
 * ConvkitDropoutApply theirs, and ConvkitFusedConv2D its per-input ones.
 */
export function registerCustomKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of cpuImplementations) registerKernel(config);
  registerGradient({
    kernelName: Relu,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => ({
      // After a conv that applied this relu itself, its gradient masks dy (rectified.ts).
      x: () => isRectified(saved[0])
        ? tf.clone(dy as Tensor)
        : tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x: saved[0] }) as Tensor,
    }),
  });
  registerGradient({
    kernelName: GELU,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => ({
      x: () => tf.engine().runKernel(GELU_GRAD, { dy: dy as Tensor, x: saved[0] }) as Tensor,
    }),
  });
  registerGradient({
    kernelName: DROPOUT_APPLY,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => ({
      x: () => tf.engine().runKernel(DROPOUT_APPLY, { x: dy as Tensor }, attrs) as Tensor,
    }),
  });
  registerGradient({
    kernelName: CATEGORICAL_CROSSENTROPY,
    inputsToSave: ['labels', 'probabilities'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [labels, probabilities] = saved;
      return {
        probabilities: () => tf.engine().runKernel(CATEGORICAL_CROSSENTROPY_GRAD,
          { dy: dy as Tensor, labels, probabilities }) as Tensor,
        // -log of the clipped, rescaled probabilities, per row's dy (never asked for in training).
        labels: () => tf.tidy(() => {
          const rescaled = tf.div(probabilities, tf.sum(probabilities, -1, true));
          return tf.mul(tf.expandDims(dy as Tensor, -1), tf.neg(tf.log(tf.clipByValue(rescaled, CLIP_LOW, CLIP_HIGH))));
        }),
      };
    },
  });
  registerGradient({
    kernelName: FUSED_CONV2D,
    inputsToSave: ['x', 'filter'],
    // The output, for relu's gradient.
    outputsToSave: [true],
    gradFunc: fusedConv2DGradient,
  });
}
