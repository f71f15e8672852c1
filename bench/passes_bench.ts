// Times the backward-pass kernels that are single passes over whole activations
// (ConvkitGeluGrad, MaxPoolGrad, ConvkitBatchNormTrainingGrad; ConvkitGelu once, as it shares
// GeluGrad's maths) at the shapes the fast model (batch 1024) and the tutorial's models
// (batch 128) give them, against a native Mul of the same element count: the speed of a plain
// read-read-write pass on this machine.
//
// For every case it prints the bare kernel on preallocated arrays (best of --runs, in ms and
// in GB/s of the bytes the kernel must move: its inputs read once and its output written
// once), the Mul reference, and the kernel through tfjs (runKernel: output from the buffer
// pool, what a training step pays). Runs alternate between the kernel and its reference so
// that a background load disturbs both alike.
//
//   node --import tsx bench/passes_bench.ts [--only gelu,pool,bn] [--runs 7] [--threads 2] [--json]
import { backend, tf } from '../src';
import { broadcastLayout } from '../src/backend/elementwise_kernel';
import { poolGeometry } from '../src/backend/pool_kernel';
import { BinaryOp, NativeAddon } from '../src/backend/addon';
import { BATCH_NORM_TRAINING_GRAD, GELU, GELU_GRAD } from '../src/backend/custom_kernels';

function option(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RUNS = Number(option('--runs') ?? 7);
const ONLY = (option('--only') ?? 'gelu,pool,bn').split(',');

const addon = backend.addon as NativeAddon;
if (!addon) throw new Error(`no native addon: ${backend.addonLoadError}`);
if (option('--threads')) addon.setThreads(Number(option('--threads')));

/** Uniform numbers in [-scale, scale), filled natively fast enough for 100M elements. */
function randomArray(length: number, scale = 3): Float32Array {
  const t = tf.randomUniform([length], -scale, scale);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

interface Case {
  label: string;
  /** Elements of the activation (the reference Mul's size) and the bytes the kernel must move. */
  elements: number;
  bytes: number;
  kernel: () => void;
  op: () => void;
  tensors: tf.Tensor[];
}

function geluGradCase(shape: number[]): Case {
  const size = shape.reduce((a, b) => a * b);
  const dy = randomArray(size), x = randomArray(size), dx = new Float32Array(size);
  const dyT = tf.tensor(dy, shape), xT = tf.tensor(x, shape);
  return {
    label: `GeluGrad [${shape}]`, elements: size, bytes: 12 * size,
    kernel: () => addon.geluGrad(dy, x, dx),
    op: () => tf.dispose(tf.engine().runKernel(GELU_GRAD, { dy: dyT, x: xT })),
    tensors: [dyT, xT],
  };
}

/** The forward GELU, which shares its Φ with the gradient: to see that it did not get slower. */
function geluCase(shape: number[]): Case {
  const size = shape.reduce((a, b) => a * b);
  const x = randomArray(size), y = new Float32Array(size);
  const xT = tf.tensor(x, shape);
  return {
    label: `Gelu [${shape}]`, elements: size, bytes: 8 * size,
    kernel: () => addon.gelu(x, y),
    op: () => tf.dispose(tf.engine().runKernel(GELU, { x: xT })),
    tensors: [xT],
  };
}

function maxPoolGradCase(shape: number[], size: number, stride: number, pad: 'valid' | 'same'): Case {
  const attrs = { filterSize: size, strides: stride, pad };
  const { geometry, outShape, inShape } = poolGeometry(shape, attrs);
  const inSize = inShape.reduce((a, b) => a * b), outSize = outShape.reduce((a, b) => a * b);
  // Rounded to a few values so that windows hold ties, as after a ReLU or a saturated GELU.
  const x = randomArray(inSize).map((v) => Math.round(v * 8) / 8), dy = randomArray(outSize), dx = new Float32Array(inSize);
  const xT = tf.tensor(x, shape), dyT = tf.tensor(dy, outShape);
  const yT = tf.maxPool(xT as tf.Tensor4D, size, stride, pad);
  return {
    label: `MaxPoolGrad ${size}x${size}/${stride} ${pad} [${shape}]`, elements: inSize, bytes: 4 * (2 * inSize + outSize),
    kernel: () => addon.maxPoolGrad(dy, x, dx, geometry, -Infinity, null),
    op: () => tf.dispose(tf.engine().runKernel('MaxPoolGrad', { dy: dyT, input: xT, output: yT }, { ...attrs })),
    tensors: [xT, dyT, yT],
  };
}

function batchNormGradCase(shape: number[]): Case {
  const size = shape.reduce((a, b) => a * b), channels = shape[shape.length - 1];
  const dy = randomArray(size), x = randomArray(size), dx = new Float32Array(size);
  const mean = randomArray(channels, 0.1), variance = randomArray(channels, 1).map((v) => 1 + v * v);
  const dgamma = new Float32Array(channels), dbeta = new Float32Array(channels);
  const [dyT, xT] = [tf.tensor(dy, shape), tf.tensor(x, shape)];
  const [meanT, varianceT] = [tf.tensor(mean), tf.tensor(variance)];
  return {
    label: `BatchNormGrad [${shape}]`, elements: size, bytes: 12 * size,
    kernel: () => addon.batchNormTrainingGrad(dy, x, mean, variance, null, dx, dgamma, dbeta, channels, 1e-5),
    op: () => tf.dispose(tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy: dyT, x: xT, mean: meanT, variance: varianceT },
      { epsilon: 1e-5 }) as unknown as tf.Tensor[]),
    tensors: [dyT, xT, meanT, varianceT],
  };
}

/** dx = a * b over `elements` floats: a plain two-reads-one-write pass, the reference. */
function mulReference(elements: number): () => void {
  const a = randomArray(elements), b = randomArray(elements), y = new Float32Array(elements);
  const layout = broadcastLayout([elements], [elements], [elements]) as Int32Array;
  return () => addon.binary(BinaryOp.Mul, a, b, y, layout);
}

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

const cases: Array<() => Case> = [];
if (ONLY.includes('gelu')) {
  for (const shape of [[1024, 31, 31, 24], [1024, 15, 15, 64], [1024, 7, 7, 256], [1024, 3, 3, 256]]) cases.push(() => geluGradCase(shape));
  cases.push(() => geluCase([1024, 31, 31, 24]));
}
if (ONLY.includes('pool')) {
  for (const shape of [[1024, 31, 31, 64], [1024, 15, 15, 256], [1024, 7, 7, 256]]) cases.push(() => maxPoolGradCase(shape, 2, 2, 'valid'));
  cases.push(() => maxPoolGradCase([1024, 3, 3, 256], 3, 3, 'valid'));
  // The tutorial's models: basic (valid convolutions) and improved (same convolutions).
  for (const shape of [[128, 28, 28, 32], [128, 10, 10, 64], [128, 32, 32, 32], [128, 16, 16, 64], [128, 8, 8, 128]]) {
    cases.push(() => maxPoolGradCase(shape, 2, 2, 'valid'));
  }
  // Overlapping windows and padding: the general path.
  cases.push(() => maxPoolGradCase([128, 32, 32, 32], 3, 2, 'same'));
}
if (ONLY.includes('bn')) {
  for (const shape of [[1024, 15, 15, 64], [1024, 7, 7, 256], [1024, 3, 3, 256]]) cases.push(() => batchNormGradCase(shape));
}

const rows = [];
for (const make of cases) {
  const c = make();
  const reference = mulReference(c.elements);
  let kernel = Infinity, op = Infinity, mul = Infinity;
  c.kernel(); c.op(); reference();  // first calls: page faults, thread start
  for (let run = 0; run < RUNS; run++) {
    mul = Math.min(mul, time(reference));
    kernel = Math.min(kernel, time(c.kernel));
    op = Math.min(op, time(c.op));
  }
  const gbps = (ms: number, bytes: number) => +(bytes / ms / 1e6).toFixed(1);
  const row = {
    case: c.label, kernel_ms: +kernel.toFixed(2), kernel_gbps: gbps(kernel, c.bytes), op_ms: +op.toFixed(2),
    mul_ms: +mul.toFixed(2), mul_gbps: gbps(mul, 12 * c.elements), kernel_over_mul: +(kernel / mul).toFixed(2),
  };
  rows.push(row);
  tf.dispose(c.tensors);
  if (!process.argv.includes('--json')) {
    console.log(`${row.case.padEnd(44)} kernel ${row.kernel_ms.toFixed(2).padStart(7)} ms ${String(row.kernel_gbps).padStart(5)} GB/s` +
      `  op ${row.op_ms.toFixed(2).padStart(7)} ms   mul ${row.mul_ms.toFixed(2).padStart(7)} ms ${String(row.mul_gbps).padStart(5)} GB/s` +
      `  kernel/mul ${row.kernel_over_mul.toFixed(2)}`);
  }
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ threads: addon.info().threads, runs: RUNS, rows }));
