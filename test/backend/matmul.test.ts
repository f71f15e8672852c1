import { describe, it } from 'node:test';

import { tf } from '../../src';
import { assertSameOnBothBackends } from './compare';

const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 33, 5], [7, 3, 19], [128, 1600, 256], [65, 17, 129], [150, 300, 40]];

describe('BatchMatMul, all transpose flags', () => {
  for (const [m, k, n] of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        it(`m ${m} k ${k} n ${n} transposeA ${ta} transposeB ${tb}`, () => {
          const a = ta ? [k, m] : [m, k], b = tb ? [n, k] : [k, n];
          assertSameOnBothBackends('matMul', (x, y) => tf.matMul(x, y, ta, tb), [a, b]);
        });
      }
    }
  }
  it('batched, with a broadcast batch of 1', () => {
    assertSameOnBothBackends('batched matMul', (x, y) => tf.matMul(x, y), [[3, 5, 7], [3, 7, 4]]);
    // tfjs has no gradient for a broadcast batch: compare the forward pass.
    assertSameOnBothBackends('broadcast matMul', (x, y) => tf.matMul(x, y, false, true), [[1, 5, 7], [4, 6, 7]],
      { grads: false });
  });
});

describe('_FusedMatMul (bias + relu/linear)', () => {
  for (const activation of ['relu', 'linear'] as const) {
    for (const [m, k, n] of shapes) {
      it(`${activation}: m ${m} k ${k} n ${n}`, () => {
        assertSameOnBothBackends(`fused matMul ${activation}`,
          (a, b, bias) => tf.fused.matMul({ a, b, bias, activation }), [[m, k], [k, n], [n]]);
      });
    }
  }
});
