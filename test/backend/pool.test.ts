import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { tf } from '../../src';
import { assertSameOnBothBackends } from './compare';

type Pad = 'same' | 'valid';

const cases: Array<{ x: number[]; size: number; stride: number; pad: Pad }> = [
  { x: [1, 5, 7, 3], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 9, 9, 5], size: 3, stride: 2, pad: 'same' },
  { x: [3, 8, 6, 33], size: 2, stride: 1, pad: 'same' },
  { x: [2, 28, 28, 32], size: 2, stride: 2, pad: 'valid' },
  { x: [1, 7, 7, 3], size: 3, stride: 1, pad: 'valid' },
  // Windows that do not overlap: rows and columns no window covers (odd sides, stride above
  // the window), windows clipped by 'same' padding, a global pool, channel counts that leave a
  // remainder after groups of 4 and 8.
  { x: [1, 7, 9, 13], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 7, 9, 13], size: 2, stride: 2, pad: 'same' },
  { x: [2, 11, 10, 6], size: 2, stride: 3, pad: 'valid' },
  { x: [1, 11, 10, 6], size: 2, stride: 3, pad: 'same' },
  { x: [3, 8, 7, 9], size: 3, stride: 3, pad: 'same' },
  { x: [4, 3, 3, 20], size: 3, stride: 3, pad: 'valid' },
  { x: [2, 5, 5, 1], size: 5, stride: 5, pad: 'valid' },
];

/**
 * Leaves arrays of NaN of this shape in the native backend's buffer pool, so that a kernel
 * output that leaves an element unwritten (rather than 0) fails the comparison.
 */
function poisonRecycledOutputs(shape: number[]): void {
  tf.tidy(() => { for (let i = 0; i < 8; i++) tf.mul(tf.fill(shape, NaN), 1); });
}

describe('MaxPool and MaxPoolGrad', () => {
  for (const c of cases) {
    it(`x ${c.x} size ${c.size} stride ${c.stride} ${c.pad}`, () => {
      poisonRecycledOutputs(c.x);
      assertSameOnBothBackends('maxPool', (x) => tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad), [c.x]);
    });
  }
  // x rounded to a few values, so that windows hold several equal maxima; the rounding passes
  // gradients straight through, so the gradient compared is MaxPoolGrad's: it must go to the
  // first maximum of each window, as on the cpu backend.
  const roundedStraightThrough = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) =>
    ({ value: tf.round(tf.mul(args[0] as tf.Tensor, 2)), gradFunc: (dy: tf.Tensor) => dy }));
  for (const c of cases) {
    it(`routes the gradient to the first of tied maxima: x ${c.x} size ${c.size} stride ${c.stride} ${c.pad}`, () => {
      poisonRecycledOutputs(c.x);
      assertSameOnBothBackends('maxPool with ties',
        (x) => tf.maxPool(roundedStraightThrough(x) as tf.Tensor4D, c.size, c.stride, c.pad), [c.x]);
    });
  }
  it('routes nothing from windows of -inf or NaN, and skips NaN, as the cpu backend', () => {
    // One image of 4x4 pixels, 2 channels, four 2x2 windows; channel 1 is channel 0 negated.
    const windows = [[-Infinity, -Infinity, -Infinity, -Infinity], [NaN, NaN, NaN, NaN], [NaN, 1, 1, NaN], [-0, 0, -1, 0]];
    const x = new Float32Array(4 * 4 * 2);
    windows.forEach((values, w) => values.forEach((v, e) => {
      const row = 2 * Math.floor(w / 2) + Math.floor(e / 2), column = 2 * (w % 2) + (e % 2);
      x[(row * 4 + column) * 2] = v;
      x[(row * 4 + column) * 2 + 1] = -v;
    }));
    const dy = Float32Array.from({ length: 8 }, (_, i) => i + 1);
    const gradient = (backendName: string) => {
      tf.setBackend(backendName);
      try {
        return tf.tidy(() => tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(
          tf.tensor4d(x, [1, 4, 4, 2]), tf.tensor4d(dy, [1, 2, 2, 2])).dataSync().slice());
      } finally {
        tf.setBackend('native');
      }
    };
    const expected = gradient('cpu');
    assert.deepEqual([...gradient('native')], [...expected]);
    assert.equal(expected.filter((v) => v !== 0).length, 5, `${expected}`);
  });
});

describe('AvgPool and AvgPoolGrad', () => {
  for (const c of cases) {
    it(`x ${c.x} size ${c.size} stride ${c.stride} ${c.pad}`, () => {
      assertSameOnBothBackends('avgPool', (x) => tf.avgPool(x as tf.Tensor4D, c.size, c.stride, c.pad), [c.x]);
    });
  }
});
