import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { optimizers, tf } from '../../src';
import { randomValues } from './compare';

/**
 * Runs `steps` optimizer steps on three variables (one of 77,101 elements, which the native
 * kernel splits between threads across the variables' boundaries) and returns their final
 * values and state.
 */
async function run(backend: string, make: () => tf.Optimizer, steps: number) {
  tf.setBackend(backend);
  try {
    const a = tf.variable(tf.tensor(randomValues(33 * 5, 1), [33, 5]));
    const b = tf.variable(tf.tensor(randomValues(7, 2), [7]));
    const c = tf.variable(tf.tensor(randomValues(77101, 3), [77101]));
    const optimizer = make();
    for (let s = 0; s < steps; s++) {
      optimizer.minimize(() => tf.addN([tf.sum(tf.square(tf.matMul(a, tf.ones([5, 1])))),
        tf.sum(tf.mul(b, tf.tensor(randomValues(7, 10 + s), [7]))),
        tf.sum(tf.mul(tf.square(c), tf.tensor(randomValues(77101, 20 + s), [77101])))]) as tf.Scalar);
    }
    const weights = await optimizer.getWeights();
    const result = {
      values: [...a.dataSync(), ...b.dataSync(), ...c.dataSync()],
      state: weights.map((w) => [...w.tensor.dataSync()]),
    };
    tf.dispose([a, b, c]);
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
  for (const backend of ['native', 'cpu']) {
    it(`updates in one kernel call, leaving tensors that shared a weight's data unchanged (${backend} backend)`, async () => {
      tf.setBackend(backend);
      try {
        const x = tf.variable(tf.tensor(randomValues(40, 4)));
        const loss = () => tf.sum(tf.square(x)) as tf.Scalar;
        const optimizer = optimizers.adam(0.1);
        optimizer.minimize(loss);
        const read = x.dataSync(), before = read.slice();
        optimizer.minimize(loss);
        assert.deepEqual(read, before, 'an array dataSync handed out changed');
        assert.notDeepEqual(x.dataSync(), before, 'the variable did not move');
        const clone = tf.clone(x), cloned = clone.dataSync().slice();
        optimizer.minimize(loss);
        assert.deepEqual(clone.dataSync(), cloned, 'a clone taken before the step changed');
        assert.notDeepEqual(x.dataSync(), cloned, 'the variable did not move');
        const { grads } = optimizer.computeGradients(loss);
        const profile = await tf.profile(() => optimizer.applyGradients(grads));
        tf.dispose(Object.values(grads));
        const profiled = profile.kernels.map((k) => k.name);
        assert.deepEqual(profiled, ['ConvkitAdamUpdate']);
        tf.dispose([x, clone]);
        optimizer.dispose();
      } finally {
        tf.setBackend('native');
      }
    });
  }
  it('refuses to update data another tensor shares, naming the shape', () => {
    const value = tf.variable(tf.zeros([2, 3])), shared = tf.clone(value);
    const zeros = () => tf.zeros([2, 3]);
    const inputs = { accBeta1: tf.scalar(0.9), accBeta2: tf.scalar(0.999), value0: value, m0: zeros(), v0: zeros(), gradient0: zeros() };
    assert.throws(() => tf.engine().runKernel('ConvkitAdamUpdate', inputs, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
      /alone holds its data \(shape \[2,3\]\)/);
    tf.dispose([value, shared, ...Object.values(inputs)]);
  });
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
