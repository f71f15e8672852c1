import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backend, ops, tf } from '../../src';

import { assertSameOnBothBackends, kernelsUsed, randomValues, relativeError } from './compare';

const EPSILON = 1e-3;

/** Training-mode batch norm from plain tf ops: tf.moments over all axes but the last, then tf.batchNorm. */
function referenceBatchNorm(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null): tf.Tensor {
  const { mean, variance } = tf.moments(x, [...Array(x.rank - 1).keys()]);
  // tfjs's batchNorm gradient fails without an offset and a scale: give it 0 and 1.
  return tf.batchNorm(x, mean, variance, beta ?? tf.zerosLike(mean), gamma ?? tf.onesLike(mean), EPSILON);
}

type Parameters = 'gamma and beta' | 'gamma' | 'beta' | 'neither';

/** f(x, ...params) for the given parameter set, from a batch norm taking (x, gamma | null, beta | null). */
function withParameters(parameters: Parameters, norm: (x: tf.Tensor, g: tf.Tensor | null, b: tf.Tensor | null) => tf.Tensor) {
  return (x: tf.Tensor, ...params: tf.Tensor[]) => {
    const [gamma, beta] = parameters === 'gamma and beta' ? params : parameters === 'gamma' ? [params[0], null]
      : parameters === 'beta' ? [null, params[0]] : [null, null];
    // Shift and spread x so that the statistics are not those of [-1, 1) noise.
    return norm(tf.add(tf.mul(x, 3), 0.5), gamma ?? null, beta ?? null);
  };
}

const ours = (x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null) => ops.batchNormTraining(x, gamma, beta, EPSILON).y;
/** Ours on the native backend, the reference on tfjs's cpu backend (assertSameOnBothBackends runs both). */
const oursVersusReference = (x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null) =>
  (tf.getBackend() === 'native' ? ours : referenceBatchNorm)(x, gamma, beta);

const shapes = [[1, 5, 5, 3], [2, 7, 9, 5], [3, 33], [4, 3, 3, 64], [1, 3, 31, 64], [2, 2, 33]];

describe('batchNormTraining (ConvkitBatchNormTraining, ConvkitBatchNormTrainingGrad)', () => {
  for (const shape of shapes) {
    it(`matches the cpu backend and tf.moments + tf.batchNorm, forward and gradients, on [${shape}]`, () => {
      const channels = shape[shape.length - 1];
      for (const parameters of ['gamma and beta', 'gamma', 'beta', 'neither'] as const) {
        const inputShapes = [shape, ...Array(parameters === 'gamma and beta' ? 2 : parameters === 'neither' ? 0 : 1).fill([channels])];
        assertSameOnBothBackends(`${parameters}`, withParameters(parameters, ours), inputShapes);
        assertSameOnBothBackends(`${parameters} vs reference`, withParameters(parameters, oursVersusReference), inputShapes);
      }
    });
  }
  it('matches the cpu backend on a tensor large enough to be split between threads', () => {
    assertSameOnBothBackends('large', withParameters('gamma and beta', ours), [[8, 31, 31, 16], [16], [16]]);
  });
  it('returns the batch mean and biased variance, on both backends', () => {
    for (const backendName of ['native', 'cpu']) {
      tf.setBackend(backendName);
      try {
        tf.tidy(() => {
          const x = tf.tensor(randomValues(2 * 7 * 9 * 33, 5), [2, 7, 9, 33]).mul(2).add(tf.range(0, 33).mul(0.1));
          const { mean, variance } = ops.batchNormTraining(x, null, null, EPSILON);
          const expected = tf.moments(x, [0, 1, 2]);
          assert.deepEqual(mean.shape, [33]);
          assert.ok(relativeError(mean.dataSync(), expected.mean.dataSync()) < 1e-5, backendName);
          assert.ok(relativeError(variance.dataSync(), expected.variance.dataSync()) < 1e-5, backendName);
        });
      } finally {
        tf.setBackend('native');
      }
    }
  });
  it('keeps the variance accurate when the mean is large against the spread', () => {
    tf.tidy(() => {
      const x = tf.tensor(randomValues(64 * 31 * 31 * 8, 9), [64, 31, 31, 8]).add(1000);
      const { variance } = ops.batchNormTraining(x, null, null, EPSILON);
      // The values themselves, in double: their variance is about 1/3.
      const values = x.dataSync(), n = values.length / 8;
      const exact = Array.from({ length: 8 }, (_, c) => {
        let sum = 0, squares = 0;
        for (let i = c; i < values.length; i += 8) sum += values[i];
        for (let i = c; i < values.length; i += 8) squares += (values[i] - sum / n) ** 2;
        return squares / n;
      });
      assert.ok(relativeError(variance.dataSync(), exact) < 1e-5, `${variance.dataSync()} vs ${exact}`);
    });
  });
  it('runs the native kernels once each, with no fallback', async () => {
    const before = new Map(backend.fallbackCounts());
    const x = tf.randomNormal([2, 5, 5, 33]), gamma = tf.ones([33]), beta = tf.zeros([33]);
    const kernels = await kernelsUsed(() => tf.grads((v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      ops.batchNormTraining(v, g, b, EPSILON).y)([x, gamma, beta]));
    assert.equal(kernels.filter((k) => k === 'ConvkitBatchNormTraining').length, 1, kernels.join());
    assert.equal(kernels.filter((k) => k === 'ConvkitBatchNormTrainingGrad').length, 1, kernels.join());
    for (const name of ['ConvkitBatchNormTraining', 'ConvkitBatchNormTrainingGrad']) {
      assert.equal(backend.fallbackCounts().get(name), before.get(name));
    }
    tf.dispose([x, gamma, beta]);
  });
  it('passes no gradient through mean and variance', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([4, 6]), weights = tf.randomNormal([4, 6]);
      const gradient = (withStatistics: boolean) => tf.grad((v: tf.Tensor) => {
        const { y, mean, variance } = ops.batchNormTraining(v, null, null, EPSILON);
        const loss = tf.sum(tf.mul(y, weights));
        return withStatistics ? tf.add(loss, tf.add(tf.sum(mean), tf.sum(variance))) : loss;
      })(x).dataSync();
      assert.deepEqual(gradient(true), gradient(false));
    });
  });
  it('leaks no tensors: alone, inside tf.tidy, under tf.grads and optimizer.minimize', () => {
    const x = tf.randomNormal([3, 5, 5, 7]);
    const gamma = tf.variable(tf.ones([7])), beta = tf.variable(tf.zeros([7]));
    const optimizer = tf.train.sgd(0.1);
    const lossOf = () => tf.sum(tf.square(ops.batchNormTraining(x, gamma, beta, EPSILON).y).mul(tf.range(0, 7))) as tf.Scalar;
    optimizer.minimize(lossOf);  // tfjs creates its learning-rate scalar on the first step
    const start = tf.memory().numTensors;
    const result = ops.batchNormTraining(x, gamma, beta, EPSILON);
    assert.equal(tf.memory().numTensors, start + 3);
    tf.dispose([result.y, result.mean, result.variance]);
    tf.tidy(() => {
      const { y, mean, variance } = ops.batchNormTraining(x, null, beta, EPSILON);
      tf.grads((v: tf.Tensor, b: tf.Tensor) => ops.batchNormTraining(v, null, b, EPSILON).y)([x, beta]);
      return [y, mean, variance];
    }).forEach((t) => t.dispose());
    const gammaBefore = gamma.dataSync().slice();
    for (let step = 0; step < 3; step++) optimizer.minimize(lossOf);
    assert.equal(tf.memory().numTensors, start);
    assert.notDeepEqual([...gamma.dataSync()], [...gammaBefore], 'the optimizer moved gamma');
    tf.dispose([x, gamma, beta]);
    optimizer.dispose();
  });
  it('rejects a gamma of the wrong size and x of rank 1', () => {
    tf.tidy(() => {
      assert.throws(() => ops.batchNormTraining(tf.zeros([2, 3]), tf.ones([4]), null, EPSILON), /gamma/);
      assert.throws(() => ops.batchNormTraining(tf.zeros([3]), null, null, EPSILON), /rank 2/);
    });
  });
});
