// Loads the C++ addon built by node-gyp at install time. When it cannot be loaded (no
// compiler on the machine, a failed build), convkit keeps working on tfjs's JS kernels.
import * as path from 'path';

/** Codes shared with native/src/kernels/kernels.h. */
export enum Activation { Linear = 0, Relu = 1 }
export enum UnaryOp { Relu, Step, Exp, Log, Sqrt, Rsqrt, Square, Neg, Abs, Sigmoid, Tanh, Reciprocal }
export enum BinaryOp { Add, Sub, Mul, Div, Max, Min, SquaredDifference, ReluGrad }
export enum ReduceOp { Sum, Mean, Max, Min }

type F32 = Float32Array;
type Maybe = Float32Array | null;

/** The addon's entry points (native/src/binding.cc). */
export interface NativeAddon {
  conv2d(x: F32, filter: F32, bias: Maybe, y: F32, geometry: Int32Array, activation: Activation): void;
  /**
   * The same, and y's 2x2 max pool of stride 2 into `pooled`, each window's first maximum (0-3,
   * 4: none) into `argmax`, where the kernel can take them from its tiles; whether it did. With
   * y null, only those two are written (nothing where they cannot be).
   */
  conv2d(x: F32, filter: F32, bias: Maybe, y: Maybe, geometry: Int32Array, activation: Activation, pooled: F32,
    argmax: Uint8Array): boolean;
  conv2dBackpropInput(dy: F32, filter: F32, dx: F32, geometry: Int32Array): void;
  conv2dBackpropFilter(x: F32, dy: F32, dfilter: F32, geometry: Int32Array): void;
  /** dx taken on through the relu whose output `rectified` is (dx's shape), and its sums by channel into dbias. */
  conv2dBackpropInputRelu(dy: F32, filter: F32, rectified: F32, dx: F32, dbias: F32, geometry: Int32Array): void;
  /** dy is the gradient after the relu when y, the relu's output, is given. */
  conv2dFilterBiasGrad(x: F32, dy: F32, y: Maybe, dfilter: F32, dbias: F32, geometry: Int32Array): void;
  /** The Winograd output tile side conv2d and conv2dBackpropFilter of this geometry use: 0 = direct, 2 = F(2x2, 3x3), 4 = F(4x4, 3x3), 5 = F(5x5, 3x3). */
  winogradTile(geometry: Int32Array): number;
  /** shape: [batchA, batchB, m, n, k, transposeA, transposeB] */
  matmul(a: F32, b: F32, bias: Maybe, y: F32, shape: Int32Array, activation: Activation): void;
  maxPool(x: F32, y: F32, geometry: Int32Array): void;
  /** floor: windows whose maximum is not above it route nothing (-Infinity: plain max pooling; 0: also relu's gradient). */
  maxPoolGrad(dy: F32, x: F32, dx: F32, geometry: Int32Array, floor: number, channelSums: F32 | null): void;
  /** maxPoolGrad of a 2x2 pool of stride 2 over whole windows from its output and the argmax conv2d recorded. */
  maxPoolGradArgmax(dy: F32, pooled: F32, argmax: Uint8Array, dx: F32, geometry: Int32Array, floor: number,
    channelSums: F32 | null): void;
  avgPool(x: F32, y: F32, geometry: Int32Array): void;
  avgPoolGrad(dy: F32, dx: F32, geometry: Int32Array): void;
  unary(op: UnaryOp, x: F32, y: F32, size: number, alpha: number): void;
  /** layout: [rank, dims (6), a's strides (6), b's strides (6)], see broadcastLayout(). */
  binary(op: BinaryOp, a: F32, b: F32, y: F32, layout: Int32Array): void;
  reduce(op: ReduceOp, x: F32, y: F32, outer: number, reduce: number, inner: number): void;
  softmax(logits: F32, y: F32, rows: number, cols: number): void;
  batchNorm(x: F32, mean: F32, variance: F32, offset: Maybe, scale: Maybe, y: F32, channels: number,
    epsilon: number): void;
  /** x, y: [rows, channels]; mean, variance: [channels] outputs (biased variance). */
  batchNormTraining(x: F32, gamma: Maybe, beta: Maybe, y: F32, mean: F32, variance: F32, channels: number,
    epsilon: number): void;
  batchNormTrainingGrad(dy: F32, x: F32, mean: F32, variance: F32, gamma: Maybe, dx: F32, dgamma: F32, dbeta: F32,
    channels: number, epsilon: number): void;
  /** dy, y, dz: [rows, channels]; dbias: [channels] output. */
  reluGradBias(dy: F32, y: F32, dz: F32, dbias: F32, channels: number): void;
  gelu(x: F32, y: F32): void;
  geluGrad(dy: F32, x: F32, dx: F32): void;
  /** labels, probabilities: [rows, classes]; loss: [rows] output. */
  categoricalCrossentropy(labels: F32, probabilities: F32, loss: F32): void;
  /** dy: [rows]; labels, probabilities, dprobabilities: [rows, classes]. */
  categoricalCrossentropyGrad(dy: F32, labels: F32, probabilities: F32, dprobabilities: F32): void;
  transpose(x: F32, y: F32, shape: Int32Array, perm: Int32Array): void;
  /** y's rows from x's, chosen per axis but the last by maps (yShape[0] + ... + yShape[rank-2] indices), from column firstColumn on. */
  gatherRows(x: F32, y: F32, xShape: Int32Array, yShape: Int32Array, maps: Int32Array, firstColumn: number): void;
  dropoutMask(mask: F32, seed: number, rate: number): void;
  /** y = x * dropoutMask(seed, rate), the mask never stored. */
  dropoutApply(x: F32, y: F32, seed: number, rate: number): void;
  /**
   * arrays: [value, m, v, gradient] per variable, the first three updated in place;
   * scalars: [beta1, beta2, 1-beta1, 1-beta2, 1-accBeta1, 1-accBeta2, epsilon, -learningRate].
   */
  adamUpdate(arrays: F32[], scalars: F32): void;
  /** scalars: [learningRate, weightDecay, momentum]; nesterov: 0 or 1. */
  sgdUpdate(value: F32, momentumBuffer: F32, gradient: F32, newValue: F32, newBuffer: F32, scalars: F32,
    nesterov: number): void;
  gemm(a: F32, b: F32, c: F32, m: number, n: number, k: number): void;
  info(): { gemm: string; threads: number };
  setThreads(count: number): void;
}

function load(): { addon: NativeAddon | null; error: string | null } {
  // CONVKIT_ADDON points at another build (tests use it to simulate a missing addon).
  // Otherwise the addon sits under the package root, reached from src/ (tsx) or dist/src/.
  const built = ['..', path.join('..', '..')].map((up) =>
    path.resolve(__dirname, '..', up, 'native', 'build', 'Release', 'convkit_native.node'));
  const candidates = process.env.CONVKIT_ADDON ? [path.resolve(process.env.CONVKIT_ADDON)] : built;
  let error = '';
  for (const candidate of candidates) {
    try {
      return { addon: require(candidate) as NativeAddon, error: null };
    } catch (e) {
      error = (e as Error).message.split('\n')[0];
    }
  }
  return { addon: null, error };
}

const loaded = load();
export const addon: NativeAddon | null = loaded.addon;
export const addonLoadError: string | null = loaded.error;
