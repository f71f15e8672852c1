import { describe, it } from 'node:test';

import { tf } from '../../src';
import { assertSameOnBothBackends } from './compare';

const positive = (x: tf.Tensor) => tf.add(tf.abs(x), 0.5);

const unary: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
  ['relu', (x) => tf.relu(x)],
  ['step', (x) => tf.step(x, 0.3)],
  ['exp', (x) => tf.exp(x)],
  ['log', (x) => tf.log(positive(x))],
  ['sqrt', (x) => tf.sqrt(positive(x))],
  ['rsqrt', (x) => tf.rsqrt(positive(x))],
  ['square', (x) => tf.square(x)],
  ['neg', (x) => tf.neg(x)],
  ['abs', (x) => tf.abs(x)],
  ['sigmoid', (x) => tf.sigmoid(x)],
  ['tanh', (x) => tf.tanh(x)],
  ['reciprocal', (x) => tf.reciprocal(positive(x))],
];

describe('unary kernels', () => {
  for (const [name, fn] of unary) {
    it(`${name} on [3, 5, 33] and [1]`, () => {
      assertSameOnBothBackends(name, fn, [[3, 5, 33]]);
      assertSameOnBothBackends(name, fn, [[1]]);
    });
  }
});

const binary: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul],
  ['div', (a, b) => tf.div(a, positive(b))],
  ['maximum', tf.maximum], ['minimum', tf.minimum],
  ['squaredDifference', tf.squaredDifference],
];
// tfjs has no broadcasting gradients for these: only their forward pass is compared when shapes differ.
const gradientNeedsEqualShapes = new Set(['maximum', 'minimum', 'squaredDifference']);

// Same shapes, bias-style [C], [N,1] against [N,C], a scalar, and the broadcast on the left.
const broadcasts: number[][][] = [
  [[4, 5, 33], [4, 5, 33]],
  [[2, 7, 7, 5], [5]],
  [[9, 10], [9, 1]],
  [[3, 4, 5], [1]],
  [[], [6, 3]],
  [[33], [4, 5, 33]],
  [[2, 1, 5], [2, 3, 5]],
  [[5, 1, 7], [5, 6, 7]],
];

describe('binary kernels with broadcasting', () => {
  for (const [name, fn] of binary) {
    for (const [a, b] of broadcasts) {
      it(`${name} [${a}] with [${b}]`, () => {
        const grads = !gradientNeedsEqualShapes.has(name) || a.join() === b.join();
        assertSameOnBothBackends(name, fn, [a, b], { grads });
      });
    }
  }
});
