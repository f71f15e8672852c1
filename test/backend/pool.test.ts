import { describe, it } from 'node:test';

import { tf } from '../../src';
import { assertSameOnBothBackends } from './compare';

const cases: Array<{ x: number[]; size: number; stride: number; pad: 'same' | 'valid' }> = [
  { x: [1, 5, 7, 3], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 9, 9, 5], size: 3, stride: 2, pad: 'same' },
  { x: [3, 8, 6, 33], size: 2, stride: 1, pad: 'same' },
  { x: [2, 28, 28, 32], size: 2, stride: 2, pad: 'valid' },
  { x: [1, 7, 7, 3], size: 3, stride: 1, pad: 'valid' },
];

describe('MaxPool and MaxPoolGrad', () => {
  for (const c of cases) {
    it(`x ${c.x} size ${c.size} stride ${c.stride} ${c.pad}`, () => {
      assertSameOnBothBackends('maxPool', (x) => tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad), [c.x]);
    });
  }
});

describe('AvgPool and AvgPoolGrad', () => {
  for (const c of cases) {
    it(`x ${c.x} size ${c.size} stride ${c.stride} ${c.pad}`, () => {
      assertSameOnBothBackends('avgPool', (x) => tf.avgPool(x as tf.Tensor4D, c.size, c.stride, c.pad), [c.x]);
    });
  }
});
