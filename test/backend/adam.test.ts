import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { optimizers, tf } from '../../src';
import { randomValues } from './compare';

/** Runs `steps` optimizer steps on two variables and returns their final values and state. */
async function run(backend: string, make: () => tf.Optimizer, steps: number) {
  tf.setBackend(backend);
  try {
    const a = tf.variable(tf.tensor(randomValues(33 * 5, 1), [33, 5]));
    const b = tf.variable(tf.tensor(randomValues(7, 2), [7]));
    const optimizer = make();
    for (let s = 0; s < steps; s++) {
      optimizer.minimize(() => tf.add(tf.sum(tf.square(tf.matMul(a, tf.ones([5, 1])))),
        tf.sum(tf.mul(b, tf.tensor(randomValues(7, 10 + s), [7])))) as tf.Scalar);
    }
    const weights = await optimizer.getWeights();
    const result = {
      values: [...a.dataSync(), ...b.dataSync()],
      state: weights.map((w) => [...w.tensor.dataSync()]),
    };
    tf.dispose([a, b]);
    optimizer.dispose();
    return result;
  } finally {
    tf.setBackend('native');
  }
}

describe('Adam with the fused update', () => {
  for (const backend of ['native', 'cpu']) {
    it(`gives bit-identical weights and state to tfjs's Adam (${backend} backend)`, async () => {
      const ours = await run(backend, () => optimizers.adam(0.01), 5);
      const theirs = await run(backend, () => tf.train.adam(0.01), 5);
      assert.deepEqual(ours.values, theirs.values);
      assert.deepEqual(ours.state, theirs.state);
    });
  }
  it('restores from tfjs Adam state (setWeights) and continues identically', async () => {
    tf.setBackend('native');
    const x = tf.variable(tf.tensor(randomValues(10, 3)));
    const loss = () => tf.sum(tf.square(x)) as tf.Scalar;
    const reference = tf.train.adam(0.05);
    for (let s = 0; s < 3; s++) reference.minimize(loss);
    const resumed = optimizers.adam(0.05);
    await resumed.setWeights(await reference.getWeights());
    const start = x.dataSync().slice();
    reference.minimize(loss);
    const expected = x.dataSync().slice();
    x.assign(tf.tensor(start));
    resumed.minimize(loss);
    assert.deepEqual(x.dataSync(), expected);
  });
});
