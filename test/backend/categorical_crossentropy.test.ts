// ops.categoricalCrossentropy (ConvkitCategoricalCrossentropy and its gradient): the values
// and gradients of tfjs-layers' categoricalCrossentropy, on either backend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { ops, tf } from '../../src';
import { assertSameOnBothBackends, kernelsUsed, randomValues } from './compare';

type Loss = (labels: tf.Tensor, probabilities: tf.Tensor) => tf.Tensor;

// From the random inputs in [-1, 1): labels >= 0, probabilities exp(30 x), from 1e-13 to
// 1e13 before the rescaling, so that rescaled rows reach both clip bounds (1e-7, 1 - 1e-7).
const SPREAD = 30;
const spread = (loss: Loss) => (labels: tf.Tensor, probabilities: tf.Tensor) =>
  loss(tf.abs(labels), tf.exp(tf.mul(probabilities, SPREAD)));

/** Runs `ours` on the native backend and tfjs-layers' own on tfjs's cpu backend. */
const oursVersusTfjs: Loss = (labels, probabilities) => tf.getBackend() === 'native'
  ? ops.categoricalCrossentropy(labels, probabilities)
  : tfl.metrics.categoricalCrossentropy(labels, probabilities);

// Batch 1, odd class counts, a rank-3 batch.
const shapes = [[1, 3], [6, 10], [7, 17], [2, 5, 10]];

describe('categoricalCrossentropy (ConvkitCategoricalCrossentropy, ConvkitCategoricalCrossentropyGrad)', () => {
  for (const shape of shapes) {
    it(`matches its cpu kernels and tfjs-layers' categoricalCrossentropy, loss and gradients, on [${shape}]`, () => {
      assertSameOnBothBackends('categorical cross-entropy', spread(ops.categoricalCrossentropy), [shape, shape]);
      assertSameOnBothBackends('categorical cross-entropy vs tfjs-layers', spread(oursVersusTfjs), [shape, shape]);
    });
  }

  it('reaches both clip bounds in those tests (where the gradient stops)', () => {
    // assertSameOnBothBackends draws input i from randomValues(size, 7 + i): the probabilities are input 1.
    const rescaled = shapes.flatMap((shape) => tf.tidy(() => {
      const p = tf.exp(tf.mul(tf.tensor(randomValues(tf.util.sizeFromShape(shape), 8), shape), SPREAD));
      return Array.from(tf.div(p, tf.sum(p, -1, true)).dataSync());
    }));
    assert.ok(rescaled.some((q) => q < 1e-7) && rescaled.some((q) => q > 1 - 1e-7), 'both bounds crossed');
  });

  it('runs one kernel forward and one back, where tfjs runs the chain', async () => {
    const labels = tf.oneHot(tf.tensor1d([2, 0, 1], 'int32'), 3), probabilities = tf.tensor2d([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1]]);
    const used = await kernelsUsed(() => tf.grad((p: tf.Tensor) => tf.sum(ops.categoricalCrossentropy(labels, p)))(probabilities));
    assert.ok(used.includes('ConvkitCategoricalCrossentropy') && used.includes('ConvkitCategoricalCrossentropyGrad'), used.join(' '));
    for (const chain of ['Log', 'ClipByValue', 'RealDiv']) assert.ok(!used.includes(chain), `${chain} ran: ${used.join(' ')}`);
    tf.dispose([labels, probabilities]);
  });

  it('names the shapes when labels and probabilities differ', () => {
    assert.throws(() => ops.categoricalCrossentropy(tf.zeros([2, 3]), tf.zeros([2, 4])), /labels 2,3 and probabilities 2,4 differ in shape/);
  });
});
