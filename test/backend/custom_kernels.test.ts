import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backend, ops, tf } from '../../src';
import * as tfl from '@tensorflow/tfjs-layers';

import * as backendModule from '../../src/backend';
import { reluGradientSums } from '../../src/backend/rectified';
import { assertSameOnBothBackends, kernelsUsed, randomValues, relativeError } from './compare';

function onBackend<T>(name: string, fn: () => T): T {
  tf.setBackend(name);
  try {
    return fn();
  } finally {
    tf.setBackend('native');
  }
}

describe('relu gradient (ConvkitReluGrad)', () => {
  it('equals tfjs\'s own formula dy * step(x), NaN included', () => {
    const values = randomValues(3 * 5 * 33, 3);
    values[7] = NaN;
    values[8] = 0;
    const dyValues = randomValues(values.length, 4);
    for (const backend of ['cpu', 'native']) {
      const [ours, theirs] = onBackend(backend, () => tf.tidy(() => {
        const x = tf.tensor(values, [3, 5, 33]), dy = tf.tensor(dyValues, [3, 5, 33]);
        const viaGradient = tf.grad((v: tf.Tensor) => tf.relu(v))(x, dy);
        const formula = tf.mul(dy, tf.cast(tf.step(x), 'float32'));
        return [viaGradient.dataSync().slice(), formula.dataSync().slice()];
      }));
      assert.ok(Number.isNaN(ours[7]) && Number.isNaN(theirs[7]), `${backend}: NaN propagates`);
      ours[7] = theirs[7] = 0;
      assert.deepEqual(ours, theirs, `${backend}: same gradient`);
    }
  });
  it('is what a tfjs-layers relu activation differentiates through', async () => {
    const layer = tfl.layers.activation({ activation: 'relu' });
    const x = tf.randomNormal([4, 8]);
    const kernels = await kernelsUsed(() => tf.grad((v: tf.Tensor) => layer.apply(v) as tf.Tensor)(x));
    assert.ok(kernels.includes('ConvkitReluGrad'), kernels.join());
    assert.ok(!kernels.includes('Step'), kernels.join());
    x.dispose();
  });
  it('matches on both backends inside a conv + relu network', () => {
    assertSameOnBothBackends('conv relu', (x, f) => tf.relu(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same')),
      [[2, 7, 7, 5], [3, 3, 5, 33]]);
  });
});

describe('relu gradient with the bias gradient (ConvkitReluGradBias)', () => {
  const shapes = [[1, 5, 7, 3], [2, 3, 3, 33], [3, 9, 1, 5], [700, 64], [128, 15, 15, 32]];
  const bits = (values: Float32Array) => [...values].map((v) => Number.isNaN(v) ? 'NaN' : v);
  for (const shape of shapes) {
    it(`has the bits of ReluGrad then Sum over all but the channels on each backend, [${shape}]`, () => {
      const size = shape.reduce((a, b) => a * b);
      const yValues = randomValues(size, 5).map((v) => Math.max(v, 0));
      yValues[3] = NaN;
      const dyValues = randomValues(size, 6);
      for (const backend of ['cpu', 'native']) {
        const [[expectedDz, expectedDbias], [dz, dbias]] = onBackend(backend, () => tf.tidy(() => {
          const dy = tf.tensor(dyValues, shape), y = tf.tensor(yValues, shape);
          const separate = tf.engine().runKernel('ConvkitReluGrad', { dy, x: y }) as tf.Tensor;
          const fused = tf.engine().runKernel('ConvkitReluGradBias', { dy, y }) as tf.Tensor[];
          return [[separate, tf.sum(separate, shape.slice(0, -1).map((_, i) => i))], fused]
            .map((pair) => pair.map((t) => t.dataSync().slice() as Float32Array));
        }));
        assert.deepEqual(bits(dz), bits(expectedDz), `${backend}: dz`);
        assert.ok(Number.isNaN(dbias[3 % shape[shape.length - 1]]), `${backend}: a NaN reaches its channel's sum`);
        assert.deepEqual(bits(dbias), bits(expectedDbias), `${backend}: dbias`);
      }
    });
  }
});

describe('a conv\'s filter and bias gradients in one pass (ConvkitConv2DFilterBiasGrad)', () => {
  // Few input channels (the row-wise native kernel): batch 1, odd sizes, strides, both
  // paddings, out channels not a multiple of 16; 33 channels take the other path.
  type Shape4 = [number, number, number, number];
  const cases: Array<{ x: Shape4; filter: Shape4; stride: number | [number, number]; pad: 'same' | 'valid' }> = [
    { x: [1, 7, 9, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
    // Unequal strides: a padded row then holds a whole number of steps only when widened.
    { x: [2, 9, 13, 3], filter: [3, 3, 3, 17], stride: [1, 2], pad: 'same' },
    { x: [2, 10, 7, 2], filter: [3, 2, 2, 16], stride: [2, 1], pad: 'valid' },
    // Rows longer than one call's depth (512 steps), ending inside it and past it.
    { x: [2, 5, 700, 3], filter: [3, 3, 3, 6], stride: 1, pad: 'same' },
    { x: [2, 11, 8, 5], filter: [3, 3, 5, 33], stride: 2, pad: 'valid' },
    { x: [3, 9, 10, 1], filter: [5, 5, 1, 16], stride: 2, pad: 'same' },
    { x: [4, 32, 32, 3], filter: [3, 3, 3, 32], stride: 1, pad: 'valid' },
    { x: [2, 6, 7, 33], filter: [3, 3, 33, 7], stride: 1, pad: 'same' },
  ];
  const bits = (values: Float32Array) => [...values].map((v) => Number.isNaN(v) ? 'NaN' : v);
  for (const c of cases) {
    it(`has the bits of Conv2DBackpropFilter and Sum of ReluGrad(dy, y), x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`, () => {
      const convolved = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.stride, c.pad).shape);
      const size = convolved.reduce((a, b) => a * b);
      const xValues = randomValues(c.x.reduce((a, b) => a * b), 7), dyValues = randomValues(size, 8);
      const yValues = randomValues(size, 9).map((v) => Math.max(v, 0));
      yValues[size - 2] = Number.NaN;  // relu's gradient passes NaN on (and so the sums)
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap;
      const threadCounts = [1, 2, 3];
      for (const backendName of ['cpu', 'native']) {
        for (const threads of backendName === 'native' ? threadCounts : [1]) {
          const before = backend.addon!.info().threads;
          backend.addon!.setThreads(threads);
          try {
            for (const relu of [true, false]) {
              const [expected, fused] = onBackend(backendName, () => tf.tidy(() => {
                const x = tf.tensor(xValues, c.x), dy = tf.tensor(dyValues, convolved), y = tf.tensor(yValues, convolved);
                const dz = relu ? tf.engine().runKernel('ConvkitReluGrad', { dy, x: y }) as tf.Tensor : dy;
                const separate = [tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, attrs) as tf.Tensor, tf.sum(dz, [0, 1, 2])];
                const together = tf.engine().runKernel('ConvkitConv2DFilterBiasGrad', relu ? { x, dy, y } : { x, dy }, attrs) as tf.Tensor[];
                return [separate, together].map((pair) => pair.map((t) => t.dataSync().slice() as Float32Array));
              }));
              const label = `${backendName}, ${threads} threads, ${relu ? 'relu' : 'linear'}`;
              assert.ok(expected[0].some((v) => v !== 0), `${label}: a filter gradient to compare`);
              assert.deepEqual(bits(fused[0]), bits(expected[0]), `${label}: dfilter`);
              assert.deepEqual(bits(fused[1]), bits(expected[1]), `${label}: dbias`);
            }
          } finally {
            backend.addon!.setThreads(before);
          }
        }
      }
    });
  }
  it('gives zero gradients when the output is empty (input smaller than the filter)', () => {
    for (const backendName of ['cpu', 'native']) {
      const [dfilter, dbias] = onBackend(backendName, () => tf.tidy(() => {
        const x = tf.tensor(randomValues(12, 3), [1, 2, 2, 3]), dy = tf.zeros([1, 0, 0, 5]);
        const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 5] } as unknown as tf.NamedAttrMap;
        return (tf.engine().runKernel('ConvkitConv2DFilterBiasGrad', { x, dy, y: dy }, attrs) as tf.Tensor[])
          .map((t) => [...t.dataSync()]);
      }));
      assert.deepEqual(dfilter, new Array(3 * 3 * 3 * 5).fill(0), `${backendName}: dfilter`);
      assert.deepEqual(dbias, new Array(5).fill(0), `${backendName}: dbias`);
    }
  });
});

describe('an input gradient taken on through the relu below (ConvkitConv2DBackpropInputRelu)', () => {
  // Input gradients computed with F(3x3), F(4x4) and F(5x5) tiles (odd sizes, batch 1, 33
  // channels), and without Winograd (5 channels, stride 2, a 1x1 filter: relu's gradient then
  // in a second pass).
  type Shape4 = [number, number, number, number];
  const cases: Array<{ x: Shape4; filter: Shape4; stride: number; pad: 'same' | 'valid' }> = [
    { x: [1, 7, 9, 16], filter: [3, 3, 16, 8], stride: 1, pad: 'same' },
    { x: [2, 12, 12, 33], filter: [3, 3, 33, 64], stride: 1, pad: 'valid' },
    { x: [2, 8, 8, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
    { x: [1, 30, 30, 32], filter: [3, 3, 32, 32], stride: 1, pad: 'valid' },
    { x: [3, 11, 13, 5], filter: [3, 3, 5, 24], stride: 1, pad: 'same' },
    { x: [2, 9, 7, 16], filter: [3, 3, 16, 33], stride: 2, pad: 'same' },
    { x: [2, 6, 5, 12], filter: [1, 1, 12, 7], stride: 1, pad: 'valid' },
  ];
  const withoutNaN = (values: Float32Array) => values.map((v) => Number.isNaN(v) ? 0 : v);
  for (const c of cases) {
    it(`is ReluGrad(Conv2DBackpropInput(dy), y), marked with its channel sums: x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`, () => {
      const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.stride, c.pad).shape);
      const xSize = c.x.reduce((a, b) => a * b);
      const dyValues = randomValues(dyShape.reduce((a, b) => a * b), 11), filterValues = randomValues(c.filter.reduce((a, b) => a * b), 12);
      const yValues = randomValues(xSize, 13).map((v) => Math.max(v, 0));  // about half the mask is 0
      yValues[xSize - 3] = Number.NaN;  // relu's gradient passes NaN on
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap;
      const run = (backendName: string) => onBackend(backendName, () => tf.tidy(() => {
        const dy = tf.tensor(dyValues, dyShape), filter = tf.tensor(filterValues, c.filter), y = tf.tensor(yValues, c.x);
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor;
        const separate = tf.engine().runKernel('ConvkitReluGrad', { dy: dx, x: y }) as tf.Tensor;
        const fused = tf.engine().runKernel('ConvkitConv2DBackpropInputRelu', { dy, filter, y }, attrs) as tf.Tensor;
        const sums = reluGradientSums(fused, y);
        assert.ok(sums, `${backendName}: the result is marked with its channel sums`);
        return {
          expected: separate.dataSync().slice() as Float32Array,
          expectedSums: (tf.sum(separate, [0, 1, 2]).dataSync() as Float32Array).slice(),
          fused: fused.dataSync().slice() as Float32Array, sums: sums.slice(),
        };
      }));
      const fallbacksBefore = backendModule.fallbackCounts().get('ConvkitConv2DBackpropInputRelu') ?? 0;
      const reference = run('cpu');
      assert.ok(Number.isNaN(reference.expected[xSize - 3]) && Number.isNaN(reference.expectedSums[(xSize - 3) % c.x[3]]));
      const byThreads = [1, 2, 3].map((threads) => {
        const before = backend.addon!.info().threads;
        backend.addon!.setThreads(threads);
        try {
          return run('native');
        } finally {
          backend.addon!.setThreads(before);
        }
      });
      assert.equal(backendModule.fallbackCounts().get('ConvkitConv2DBackpropInputRelu') ?? 0, fallbacksBefore, 'ran natively');
      for (const [label, result] of [['cpu', reference], ['native', byThreads[0]]] as const) {
        assert.ok(result.expected.some((v) => v !== 0) && result.expected.some((v) => v === 0), `${label}: masked values to compare`);
        assert.ok(Number.isNaN(result.fused[xSize - 3]), `${label}: NaN passed on`);
        assert.ok(Number.isNaN(result.sums[(xSize - 3) % c.x[3]]), `${label}: NaN summed`);
        assert.ok(relativeError(withoutNaN(result.fused), withoutNaN(reference.expected)) <= 1e-4, `${label}: dx`);
        assert.ok(relativeError(withoutNaN(result.sums), withoutNaN(reference.expectedSums)) <= 1e-4, `${label}: sums`);
        assert.deepEqual([...result.fused].map((v) => v === 0), [...reference.expected].map((v) => v === 0),
          `${label}: zero exactly where the relu's output is 0`);
      }
      for (const result of byThreads.slice(1)) {
        assert.deepEqual(result.sums, byThreads[0].sums, 'the sums have the same bits on 1, 2 and 3 threads');
      }
    });
  }
});

describe('dropout mask', () => {
  const maskOn = (backend: string, shape: number[], rate: number, seed: number) =>
    onBackend(backend, () => tf.tidy(() => ops.dropoutMask(shape, rate, seed).dataSync().slice()));

  it('is identical on the native and cpu backends', () => {
    for (const rate of [0.25, 0.5, 0.9]) {
      assert.deepEqual(maskOn('native', [128, 14, 14, 32], rate, 42), maskOn('cpu', [128, 14, 14, 32], rate, 42));
    }
  });
  it('keeps about 1 - rate of the elements, scaled by 1 / (1 - rate)', () => {
    for (const rate of [0.25, 0.5, 0.9]) {
      const mask = maskOn('native', [200000], rate, 7);
      const kept = mask.filter((v) => v !== 0);
      assert.ok(kept.every((v) => Math.abs(v * (1 - rate) - 1) < 1e-6));
      assert.ok(Math.abs(kept.length / mask.length - (1 - rate)) < 0.005, `rate ${rate}: kept ${kept.length}`);
    }
  });
  it('repeats for a seed and changes with it', () => {
    const a = maskOn('native', [4096], 0.5, 1), b = maskOn('native', [4096], 0.5, 1), c = maskOn('native', [4096], 0.5, 2);
    assert.deepEqual(a, b);
    assert.ok(relativeError(a, c) > 0);
  });
  it('dropout() is x times the mask bit for bit, forward and gradient, on both backends (no mask stored)', async () => {
    for (const [shape, rate, seed] of [[[3, 5], 0.5, 11], [[200003], 0.25, 12], [[2, 9, 9, 7], 0.9, 13]] as const) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = randomValues(size, seed), dy = randomValues(size, seed + 1);
      x[0] = NaN, x[1] = Infinity, x[2] = -Infinity, x[3] = -0;
      const results = (backend: string) => onBackend(backend, () => tf.tidy(() => {
        const input = tf.tensor(x, [...shape]), upstream = tf.tensor(dy, [...shape]);
        const mask = ops.dropoutMask([...shape], rate, seed);
        const gradient = tf.grad((v: tf.Tensor) => ops.dropout(v, rate, seed))(input, upstream);
        return [ops.dropout(input, rate, seed), tf.mul(input, mask), gradient, tf.mul(upstream, mask)]
          .map((t) => t.dataSync().slice());
      }));
      for (const backend of ['native', 'cpu']) {
        const [fused, product, gradient, masked] = results(backend);
        assert.deepEqual(fused, product, `${backend} [${shape}]: forward`);
        assert.deepEqual(gradient, masked, `${backend} [${shape}]: gradient`);
      }
    }
    const ones = tf.ones([64]);
    assert.deepEqual(await kernelsUsed(() => ops.dropout(ones, 0.5, 1)), ['ConvkitDropoutApply']);
    ones.dispose();
  });
  it('dropout() scales kept inputs and passes gradients through the same mask', () => {
    tf.tidy(() => {
      const x = tf.ones([1000]);
      const y = ops.dropout(x, 0.5, 3);
      const g = tf.grad((v: tf.Tensor) => ops.dropout(v, 0.5, 3))(x);
      assert.deepEqual(y.dataSync(), g.dataSync());
      assert.deepEqual([...new Set(y.dataSync())].sort(), [0, 2]);
    });
  });
});
