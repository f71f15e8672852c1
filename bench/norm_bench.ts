// Times convkit's fused BatchNorm (training mode) and GELU on an airbench-sized activation
// [1024, 31, 31, 64]: the ops forward and forward + backward (what training pays, output
// allocation included), the bare native kernels on preallocated arrays, and with --chains the
// tf-ops chains they replace (tf.moments + tf.batchNorm; tfjs-layers' erf formula). Prints one
// JSON line of milliseconds, each the best of a few runs (the least disturbed by other processes).
import { backend, ops, tf } from '../src';

const SHAPE = [1024, 31, 31, 64];
const CHANNELS = SHAPE[3];
const RUNS = 5;

function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    tf.tidy(fn);
    best = Math.min(best, performance.now() - started);
  }
  return Math.round(best);
}

const ourBatchNorm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => ops.batchNormTraining(x, gamma, beta, 1e-5).y;
function chainBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
}
const chainGelu = (x: tf.Tensor) => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))));

const x = tf.randomNormal(SHAPE), dy = tf.randomNormal(SHAPE);
const gamma = tf.ones([CHANNELS]), beta = tf.zeros([CHANNELS]);
const result: Record<string, number | number[] | string> = { backend: tf.getBackend(), shape: SHAPE };

result.batchNormForward = bestOf(RUNS, () => { ourBatchNorm(x, gamma, beta); });
result.batchNormForwardBackward = bestOf(RUNS, () => { tf.grads(ourBatchNorm)([x, gamma, beta], dy); });
result.geluForward = bestOf(RUNS, () => { ops.gelu(x); });
result.geluForwardBackward = bestOf(RUNS, () => { tf.grad(ops.gelu)(x, dy); });

const addon = backend.addon;
if (addon) {
  const [xs, dys] = [x.dataSync(), dy.dataSync()] as Float32Array[];
  const out = new Float32Array(xs.length).fill(0), mean = new Float32Array(CHANNELS), variance = new Float32Array(CHANNELS);
  const [g, b, dg, db] = [1, 0, 0, 0].map((v) => new Float32Array(CHANNELS).fill(v));
  addon.batchNormTraining(xs, g, b, out, mean, variance, CHANNELS, 1e-5);
  result.kernelBatchNorm = bestOf(RUNS, () => addon.batchNormTraining(xs, g, b, out, mean, variance, CHANNELS, 1e-5));
  result.kernelBatchNormGrad = bestOf(RUNS, () => addon.batchNormTrainingGrad(dys, xs, mean, variance, g, out, dg, db, CHANNELS, 1e-5));
  result.kernelGelu = bestOf(RUNS, () => addon.gelu(xs, out));
  result.kernelGeluGrad = bestOf(RUNS, () => addon.geluGrad(dys, xs, out));
}
if (process.argv.includes('--chains')) {
  result.chainBatchNormForwardBackward = bestOf(2, () => { tf.grads(chainBatchNorm)([x, gamma, beta], dy); });
  result.chainGeluForwardBackward = bestOf(2, () => { tf.grad(chainGelu)(x, dy); });
}
console.log(JSON.stringify(result));
tf.dispose([x, dy, gamma, beta]);
