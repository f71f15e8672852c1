import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backend, ops, tf } from '../../src';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertSameOnBothBackends, kernelsUsed, randomValues, relativeError } from './compare';

/** tfjs-layers' own 'gelu' formula, from plain tf ops. */
function referenceGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))));
}

/** Runs `ours` on the native backend and `reference` on tfjs's cpu backend, for assertSameOnBothBackends. */
function oursVersusReference(ours: (x: tf.Tensor) => tf.Tensor, reference: (x: tf.Tensor) => tf.Tensor) {
  return (x: tf.Tensor) => (tf.getBackend() === 'native' ? ours(x) : reference(x));
}

// Inputs in [-6, 6): the tails, where erf saturates, as well as the middle.
const widened = (gelu: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => gelu(tf.mul(x, 6));

const shapes = [[1, 5, 5, 3], [2, 7, 9, 5], [3, 33], [1, 31, 31, 64], [4, 3, 3, 64], [1, 1]];

describe('gelu (ConvkitGelu, ConvkitGeluGrad)', () => {
  for (const shape of shapes) {
    it(`matches the cpu backend and tfjs-layers' formula, forward and gradient, on [${shape}]`, () => {
      assertSameOnBothBackends('gelu', widened(ops.gelu), [shape]);
      assertSameOnBothBackends('gelu vs formula', widened(oursVersusReference(ops.gelu, referenceGelu)), [shape]);
    });
  }
  it('is within 1e-6 of exact values, forward and gradient', () => {
    // x, Φ(x), φ(x), to 16 digits.
    const table = [[-3, 0.0013498980316301, 0.0044318484119380], [-1, 0.15865525393145707, 0.24197072451914337],
      [0, 0.5, 0.3989422804014327], [0.5, 0.6914624612740131, 0.3520653267642995], [1, 0.8413447460685429, 0.24197072451914337],
      [2, 0.9772498680518208, 0.05399096651318806], [5, 0.9999997133484281, 1.4867195147342977e-6]];
    for (const backendName of ['native', 'cpu']) {
      tf.setBackend(backendName);
      try {
        tf.tidy(() => {
          const x = tf.tensor1d(table.map(([v]) => v));
          const y = ops.gelu(x).dataSync(), dx = tf.grad(ops.gelu)(x).dataSync();
          table.forEach(([v, cdf, pdf], i) => {
            assert.ok(Math.abs(y[i] - v * cdf) < 1e-6, `${backendName}: gelu(${v}) = ${y[i]}, not ${v * cdf}`);
            assert.ok(Math.abs(dx[i] - (cdf + v * pdf)) < 1e-6, `${backendName}: gelu'(${v}) = ${dx[i]}, not ${cdf + v * pdf}`);
          });
        });
      } finally {
        tf.setBackend('native');
      }
    }
  });
  it('is within 3e-7 of exact values from -14 to 14, tails included, forward and gradient', () => {
    // Φ on a grid of step 1/64 by Simpson's rule on φ (error below 1e-13), from Φ(-14) ~ 0.
    const step = 1 / 64, points = Array.from({ length: 28 * 64 + 1 }, (_, i) => -14 + i * step);
    const pdf = (v: number) => Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
    const cdf = [0];
    for (let i = 1; i < points.length; i++) {
      const [a, b] = [points[i - 1], points[i]];
      cdf.push(cdf[i - 1] + (step / 6) * (pdf(a) + 4 * pdf((a + b) / 2) + pdf(b)));
    }
    for (const backendName of ['native', 'cpu']) {
      tf.setBackend(backendName);
      try {
        tf.tidy(() => {
          const x = tf.tensor1d(points);
          const y = ops.gelu(x).dataSync(), dx = tf.grad(ops.gelu)(x).dataSync();
          points.forEach((v, i) => {
            const forwardError = Math.abs(y[i] - v * cdf[i]) / Math.max(1, Math.abs(v));
            const gradientError = Math.abs(dx[i] - (cdf[i] + v * pdf(v)));
            assert.ok(forwardError < 3e-7, `${backendName}: gelu(${v}) = ${y[i]}, not ${v * cdf[i]}`);
            assert.ok(gradientError < 3e-7, `${backendName}: gelu'(${v}) = ${dx[i]}, not ${cdf[i] + v * pdf(v)}`);
          });
        });
      } finally {
        tf.setBackend('native');
      }
    }
  });
  it('keeps NaN and handles infinities and huge values as the formula does', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([NaN, Infinity, -Infinity, 1e30, -1e30, -40, 40]);
      const y = ops.gelu(x).dataSync(), dx = tf.grad(ops.gelu)(x).dataSync();
      assert.ok(Number.isNaN(y[0]) && Number.isNaN(dx[0]));
      assert.equal(y[1], Infinity);
      assert.deepEqual([...y.slice(3)], [1e30, -0, -0, 40].map(Math.fround));
      // x φ(x) is 0 beyond |x| = 14 up to a floor below 1e-36.
      [1, 0, 1, 0, 0, 1].forEach((expected, i) => assert.ok(Math.abs(dx[i + 1] - expected) < 1e-30, `${dx[i + 1]}`));
    });
  });
  it('runs the native kernels, with no fallback, and keeps no tensors', async () => {
    const before = new Map(backend.fallbackCounts());
    const x = tf.randomNormal([2, 5, 5, 33]);
    const kernels = await kernelsUsed(() => tf.grad(ops.gelu)(x));
    assert.ok(kernels.includes('ConvkitGelu') && kernels.includes('ConvkitGeluGrad'), kernels.join());
    assert.ok(!kernels.includes('Erf'), kernels.join());
    const start = tf.memory().numTensors;
    tf.tidy(() => { tf.grad(ops.gelu)(x); });
    tf.dispose([ops.gelu(x), tf.grad(ops.gelu)(x)]);
    assert.equal(tf.memory().numTensors, start);
    for (const name of ['ConvkitGelu', 'ConvkitGeluGrad']) assert.equal(backend.fallbackCounts().get(name), before.get(name));
    x.dispose();
  });
});

describe("tfjs-layers' 'gelu' activation", () => {
  it('runs ConvkitGelu and gives the formula\'s values and gradient', async () => {
    const layer = tfl.layers.activation({ activation: 'gelu' });
    const x = tf.tensor(randomValues(3 * 7 * 7 * 5, 11), [3, 7, 7, 5]).mul(4);
    const apply = (v: tf.Tensor) => layer.apply(v) as tf.Tensor;
    const kernels = await kernelsUsed(() => tf.grad(apply)(x));
    assert.ok(kernels.includes('ConvkitGelu') && kernels.includes('ConvkitGeluGrad'), kernels.join());
    tf.tidy(() => {
      assert.ok(relativeError(apply(x).dataSync(), referenceGelu(x).dataSync()) < 1e-6);
      assert.ok(relativeError(tf.grad(apply)(x).dataSync(), tf.grad(referenceGelu)(x).dataSync()) < 1e-5);
    });
    assert.equal((layer.getConfig() as { activation: string }).activation, 'gelu');
    x.dispose();
  });
  it('is what dense layers built with activation \'gelu\' use', async () => {
    const dense = tfl.layers.dense({ units: 4, activation: 'gelu', inputShape: [3] });
    const x = tf.ones([2, 3]);
    const kernels = await kernelsUsed(() => dense.apply(x) as tf.Tensor);
    assert.ok(kernels.includes('ConvkitGelu'), kernels.join());
    tf.dispose([x, ...dense.getWeights()]);
  });
});
