import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backend, ops, optimizers, tf } from '../../src';

/** Counts the addon's conv2d calls that write their output (y given) while `body` runs. */
function countWrites<T>(body: (writes: () => number) => T): T {
  const addon = backend.addon!, { conv2d } = addon;
  let writes = 0;
  addon.conv2d = ((...args: Parameters<typeof conv2d>) => {
    if (args[3]) writes += 1;
    return conv2d(...args);
  }) as typeof conv2d;
  try {
    return body(() => writes);
  } finally {
    addon.conv2d = conv2d;
  }
}

// x shape, filter shape, padding: F(4x4) pooling tile by tile, F(5x5) pooling whole images.
type Shape4 = [number, number, number, number];
const cases: Array<{ x: Shape4; filter: Shape4; pad: 'same' | 'valid' }> = [
  { x: [3, 16, 16, 8], filter: [3, 3, 8, 16], pad: 'same' },
  { x: [5, 12, 12, 64], filter: [3, 3, 64, 16], pad: 'valid' },
];

describe("a conv output only its pool reads, left unwritten (lazy_output.ts)", () => {
  for (const c of cases) {
    it(`is computed when first read, with the weights of its step, the bits of one written: x ${c.x} filter ${c.filter}`, () => {
      const filter = tf.variable(tf.randomUniform(c.filter, -0.3, 0.3, 'float32', 12)) as tf.Variable<tf.Rank.R4>;
      const optimizer = optimizers.adam(0.5), loss = () => tf.sum(tf.square(filter)) as tf.Scalar;
      optimizer.minimize(loss);  // its moments exist from here on
      const memory = tf.memory();
      const x = tf.randomUniform(c.x, -1, 1, 'float32', 11) as tf.Tensor4D;
      const bias = tf.randomUniform([c.filter[3]], -0.1, 0.1, 'float32', 13) as tf.Tensor1D;
      const args = { x, filter, bias, pad: c.pad, activation: 'relu' as const, poolAfter: true };
      const written = ops.fusedConv2d(args);
      const [lazy, pooled, pooledWritten] = countWrites((writes) => {
        const lazy = ops.fusedConv2d({ ...args, lazyOutput: true });
        const pools = [lazy, written].map((y) => tf.maxPool(y, 2, 2, 'valid'));
        assert.equal(writes(), 0, 'the output was written');
        return [lazy, ...pools];
      });
      assert.deepEqual(pooled.dataSync(), pooledWritten.dataSync());
      // The input goes, and an optimizer updates the filter in place: the output is still the step's.
      x.dispose();
      const scrap = tf.tidy(() => tf.mul(tf.ones(c.x), 7));  // takes x's array, were x's data let go
      optimizer.minimize(loss);
      countWrites((writes) => {
        assert.deepEqual(lazy.dataSync(), written.dataSync());
        assert.equal(writes(), 1);
        const rectified = tf.relu(lazy);
        assert.deepEqual(rectified.dataSync(), written.dataSync());
        rectified.dispose();
        assert.equal(writes(), 1, 'computed twice');
      });
      tf.dispose([lazy, written, pooled, pooledWritten, bias, scrap]);
      assert.deepEqual([tf.memory().numTensors, tf.memory().numDataBuffers], [memory.numTensors, memory.numDataBuffers]);
      filter.dispose();
      optimizer.dispose();
    });
  }
  it('is never computed when disposed unread, and lets its input go', () => {
    const memory = tf.memory();
    const x = tf.randomUniform([2, 16, 16, 8]) as tf.Tensor4D, filter = tf.randomUniform([3, 3, 8, 8]) as tf.Tensor4D;
    countWrites((writes) => {
      const lazy = ops.fusedConv2d({ x, filter, pad: 'same', poolAfter: true, lazyOutput: true });
      tf.dispose([x, filter]);
      assert.equal(tf.memory().numDataBuffers - memory.numDataBuffers, 2, 'the input is kept, with the output');
      lazy.dispose();
      assert.equal(writes(), 0);
    });
    assert.deepEqual([tf.memory().numTensors, tf.memory().numDataBuffers], [memory.numTensors, memory.numDataBuffers]);
  });
  it('is written where the kernel cannot pool (odd tiles over too large images)', () => {
    // 30x30 'valid' from 32x32 with F(3x3) tiles of 100 per image: no pool from the tiles.
    const x = tf.randomUniform([1, 14, 14, 16]) as tf.Tensor4D, filter = tf.randomUniform([3, 3, 16, 16]) as tf.Tensor4D;
    const plain = ops.fusedConv2d({ x, filter, pad: 'same' });
    countWrites((writes) => {
      const lazy = ops.fusedConv2d({ x, filter, pad: 'same', poolAfter: true, lazyOutput: true });
      assert.equal(writes(), 1);
      assert.deepEqual(lazy.dataSync(), plain.dataSync());
      lazy.dispose();
    });
    tf.dispose([x, filter, plain]);
  });
});
