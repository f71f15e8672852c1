import { describe, it } from 'node:test';

import { tf } from '../../src';
import { assertSameOnBothBackends } from './compare';

const cases: Array<[number[], number | number[] | undefined]> = [
  [[4, 7, 7, 33], [0, 1, 2]],
  [[128, 10], -1],
  [[5, 6, 7], 1],
  [[3, 5], undefined],
  [[1], 0],
  [[60000, 3], 0],
];

describe('reductions', () => {
  for (const [shape, axis] of cases) {
    for (const keepDims of [false, true]) {
      it(`over axis ${axis} of [${shape}], keepDims ${keepDims}`, () => {
        assertSameOnBothBackends('sum', (x) => tf.sum(x, axis, keepDims), [shape]);
        assertSameOnBothBackends('mean', (x) => tf.mean(x, axis, keepDims), [shape]);
        assertSameOnBothBackends('max', (x) => tf.max(x, axis, keepDims), [shape]);
        assertSameOnBothBackends('min', (x) => tf.min(x, axis, keepDims), [shape]);
      });
    }
  }
});

describe('softmax, batch norm, transpose', () => {
  it('softmax over the last axis', () => {
    assertSameOnBothBackends('softmax', (x) => tf.softmax(tf.mul(x, 20)), [[128, 10]]);
    assertSameOnBothBackends('softmax', (x) => tf.softmax(x), [[3, 4, 33]]);
  });
  it('batch norm with and without offset and scale', () => {
    assertSameOnBothBackends('batchNorm',
      (x, m, v, o, s) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.1), o, s, 1e-3), [[2, 5, 5, 33], [33], [33], [33], [33]]);
    // tfjs's batchNorm gradient needs offset and scale: compare the forward pass.
    assertSameOnBothBackends('batchNorm bare', (x, m, v) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.1)),
      [[7, 5], [5], [5]], { grads: false });
  });
  it('slice: non-contiguous boxes natively, contiguous ones as views', () => {
    assertSameOnBothBackends('slice', (x) => tf.slice(x, [1, 2, 3, 0], [2, 5, 4, 3]), [[4, 9, 8, 3]]);
    assertSameOnBothBackends('slice', (x) => tf.slice(x, [0, 1], [5, 31]), [[5, 33]]);
    assertSameOnBothBackends('slice', (x) => tf.slice(x, [2], [7]), [[11]]);
    assertSameOnBothBackends('slice', (x) => tf.slice(x, [1, 0, 0], [2, 4, 6]), [[3, 4, 6]]);
  });
  it('reverse and mirror pad move whole rows natively; along the last axis they stay tfjs\'s', () => {
    assertSameOnBothBackends('reverse', (x) => tf.reverse(x, 2), [[3, 5, 7, 3]]);
    assertSameOnBothBackends('reverse', (x) => tf.reverse(x, [0, 1]), [[1, 4, 5, 33]]);
    assertSameOnBothBackends('reverse', (x) => tf.reverse(x, 0), [[5, 2]]);
    assertSameOnBothBackends('reverse last axis', (x) => tf.reverse(x, -1), [[4, 6]], { allowFallback: ['Reverse'] });
    for (const mode of ['reflect', 'symmetric'] as const) {
      assertSameOnBothBackends(`mirrorPad ${mode}`, (x) => tf.mirrorPad(x, [[0, 0], [1, 2], [2, 1], [0, 0]], mode), [[2, 5, 4, 3]]);
      assertSameOnBothBackends(`mirrorPad ${mode}`, (x) => tf.mirrorPad(x, [[3, 0], [0, 0]], mode), [[4, 5]]);
      assertSameOnBothBackends(`mirrorPad ${mode} last axis`, (x) => tf.mirrorPad(x, [[1, 1], [2, 0]], mode), [[3, 5]],
        { allowFallback: ['MirrorPad'] });
    }
  });
  it('transpose of ranks 2 to 4', () => {
    assertSameOnBothBackends('transpose', (x) => tf.transpose(x), [[33, 5]]);
    assertSameOnBothBackends('transpose', (x) => tf.transpose(x, [0, 3, 1, 2]), [[2, 5, 7, 3]]);
    assertSameOnBothBackends('transpose', (x) => tf.transpose(x, [2, 0, 1]), [[4, 1, 6]]);
  });
});
