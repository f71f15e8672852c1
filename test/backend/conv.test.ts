import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backend, ops, tf } from '../../src';
import { geometryOf } from '../../src/backend/kernel_utils';
import { assertSameOnBothBackends, randomValues } from './compare';

// Set by winograd.test.ts, which runs this suite again on each Winograd variant.
const setting = process.env.CONVKIT_WINOGRAD;
const forced = ['all', 'f2', 'f3', 'f4', 'f5'].includes(setting ?? '') && `CONVKIT_WINOGRAD=${setting} forces Winograd`;

// Awkward shapes: batch 1, odd sizes, channels 3, 5, 33, strides 1 and 2, both paddings.
const cases: Array<{ x: number[]; filter: number[]; stride: number | [number, number]; pad: 'same' | 'valid' }> = [
  { x: [1, 7, 9, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { x: [2, 11, 8, 5], filter: [3, 3, 5, 33], stride: 2, pad: 'valid' },
  { x: [3, 9, 9, 33], filter: [3, 3, 33, 7], stride: 2, pad: 'same' },
  { x: [1, 6, 5, 3], filter: [5, 5, 3, 4], stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 5], filter: [1, 1, 5, 17], stride: 1, pad: 'same' },
  { x: [4, 32, 32, 3], filter: [3, 3, 3, 32], stride: 1, pad: 'valid' },
  // Unequal strides over few channels (the filter gradient's padded rows must hold whole steps).
  { x: [2, 9, 13, 3], filter: [3, 3, 3, 17], stride: [1, 2], pad: 'same' },
  { x: [2, 10, 7, 2], filter: [3, 2, 2, 16], stride: [2, 1], pad: 'valid' },
  { x: [2, 16, 16, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  // Channels a multiple of 16 take the direct filter-gradient path: strides, edges, both paddings.
  { x: [3, 9, 11, 32], filter: [3, 3, 32, 17], stride: 2, pad: 'valid' },
  { x: [1, 7, 5, 16], filter: [3, 3, 16, 5], stride: 2, pad: 'same' },
  { x: [2, 6, 6, 48], filter: [2, 2, 48, 7], stride: 1, pad: 'same' },
];

describe('Conv2D and its gradients (Conv2DBackpropInput, Conv2DBackpropFilter)', () => {
  for (const c of cases) {
    it(`x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`, () => {
      assertSameOnBothBackends('conv2d', (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad),
        [c.x, c.filter]);
    });
  }
});

// Conv2DBackpropFilter splits its work over the threads by pixels (partial sums added at
// the end), by filter-gradient columns, or both, and packs at most NC columns at a time:
// every split, on 1 to 4 threads, with ragged chunks and panels.
const filterSplitCases: typeof cases = [
  { x: [9, 11, 13, 16], filter: [3, 3, 16, 7], stride: 1, pad: 'same' },  // by pixels, a ragged last chunk
  { x: [1, 6, 7, 33], filter: [3, 3, 33, 13], stride: 1, pad: 'valid' },  // by columns, a ragged last panel
  { x: [2, 17, 17, 5], filter: [3, 3, 5, 11], stride: 1, pad: 'same' },  // both, on 4 threads
  { x: [3, 10, 9, 24], filter: [3, 3, 24, 6], stride: 2, pad: 'same' },
  { x: [2, 13, 11, 5], filter: [3, 3, 5, 4], stride: 2, pad: 'valid' },
  { x: [1, 4, 5, 344], filter: [3, 3, 344, 5], stride: 1, pad: 'same' },  // more columns than NC
  { x: [4, 20, 22, 16], filter: [3, 3, 16, 19], stride: 1, pad: 'same' },  // Winograd: 440 tiles, up to 3 parts
];

describe('Conv2DBackpropFilter work splits', () => {
  const addon = backend.addon!;
  for (const threads of [1, 2, 3, 4]) {
    for (const c of filterSplitCases) {
      it(`${threads} threads: x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`, () => {
        const before = addon.info().threads;
        addon.setThreads(threads);
        try {
          assertSameOnBothBackends('conv2d', (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad),
            [c.x, c.filter]);
        } finally {
          addon.setThreads(before);
        }
      });
    }
  }
});

// The Winograd filter gradient splits its tiles into up to 4 parts per thread (at least 384
// tiles each), handed out as threads come free: 1536 tiles (F(4x4)) make 4 parts on 1, 2 and
// 4 threads. The parts do not depend on the variant, so forcing one (winograd.test.ts)
// would only repeat this.
describe('Winograd filter gradient in several parts per thread', () => {
  const addon = backend.addon!;
  const c = { x: [24, 32, 32, 8], filter: [3, 3, 8, 9] };
  for (const threads of [1, 2, 4]) {
    it(`${threads} threads: x ${c.x} filter ${c.filter} same`, { skip: forced && 'run once, unforced' }, () => {
      const before = addon.info().threads;
      addon.setThreads(threads);
      try {
        assert.equal(addon.winogradTile(geometryOf(tf.backend_util.computeConv2DInfo(
          c.x as [number, number, number, number], c.filter as [number, number, number, number], 1, 1, 'same'))), 4);
        assertSameOnBothBackends('conv2d', (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'),
          [c.x, c.filter]);
      } finally {
        addon.setThreads(before);
      }
    });
  }
});

describe('FusedConv2D (bias + relu/linear)', () => {
  for (const activation of ['relu', 'linear'] as const) {
    for (const c of cases.slice(0, 4)) {
      it(`${activation}: x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`, () => {
        assertSameOnBothBackends(`fused conv2d ${activation}`,
          (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: c.stride,
            pad: c.pad, activation }),
          [c.x, c.filter, [c.filter[3]]]);
      });
    }
  }
});

describe('FusedConv2D relu keeps NaN, as tfjs does (a NaN loss must show)', () => {
  // The direct path (3 channels), the GEMM path (1x1) and the Winograd path (16 channels, 3x3).
  for (const c of [cases[0], cases[4], { x: [2, 12, 12, 16], filter: [3, 3, 16, 16], stride: 1, pad: 'same' as const }]) {
    it(`x ${c.x} filter ${c.filter}`, () => {
      const size = c.x.reduce((a, b) => a * b);
      const xValues = Float32Array.from({ length: size }, (_, i) => Math.sin(i));
      xValues[c.x[3] * 5 + 1] = NaN;
      const run = (name: string) => {
        tf.setBackend(name);
        try {
          return tf.tidy(() => tf.fused.conv2d({ x: tf.tensor4d(xValues, c.x as [number, number, number, number]),
            filter: tf.ones(c.filter as [number, number, number, number]), strides: c.stride, pad: c.pad, activation: 'relu' })
            .dataSync().slice() as Float32Array);
        } finally {
          tf.setBackend('native');
        }
      };
      const nanAt = (values: Float32Array) => [...values.keys()].filter((i) => Number.isNaN(values[i]));
      const expected = nanAt(run('cpu'));
      assert.ok(expected.length > 0);
      // Every NaN of tfjs's is one here (a Winograd tile may spread it to its tile's other outputs too).
      const actual = new Set(nanAt(run('native')));
      assert.deepEqual(expected.filter((i) => !actual.has(i)), []);
    });
  }
});

describe('ops.fusedConv2d (ConvkitFusedConv2D and its per-input gradients)', () => {
  for (const activation of ['relu', 'linear'] as const) {
    for (const c of cases.slice(0, 4)) {
      it(`${activation}: x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}, with and without bias`, () => {
        const options = { strides: c.stride, pad: c.pad, activation };
        // Ours on the native backend against tfjs's fused op on its cpu backend.
        const oursVersusTfjs = (args: { x: tf.Tensor4D; filter: tf.Tensor4D; bias?: tf.Tensor1D }) =>
          (tf.getBackend() === 'native' ? ops.fusedConv2d : tf.fused.conv2d)({ ...args, ...options });
        assertSameOnBothBackends(`fusedConv2d ${activation}`,
          (x, f, b) => oursVersusTfjs({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b as tf.Tensor1D }),
          [c.x, c.filter, [c.filter[3]]]);
        assertSameOnBothBackends(`fusedConv2d ${activation} without bias`,
          (x, f) => oursVersusTfjs({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D }), [c.x, c.filter]);
      });
    }
  }
  it('rejects what it does not take, saying what it got', () => {
    const [x, filter] = [tf.zeros([1, 4, 4, 3]), tf.zeros([3, 3, 3, 2])] as tf.Tensor4D[];
    assert.throws(() => ops.fusedConv2d({ x, filter: tf.zeros([3, 3, 2, 2]) as tf.Tensor4D, pad: 'same' }), /takes 2 channels, x has 3/);
    assert.throws(() => ops.fusedConv2d({ x, filter, bias: tf.zeros([3]) as tf.Tensor1D, pad: 'same' }), /bias must be a float32 \[2\] tensor/);
    assert.throws(() => ops.fusedConv2d({ x, filter, pad: 'same', activation: 'elu' as 'relu' }), /'linear' or 'relu', got 'elu'/);
    assert.throws(() => ops.fusedConv2d({ x, filter, pad: 'same', strides: 2, dilations: 2 }), /strides \(2\) or dilations \(2\) must be 1/);
    tf.dispose([x, filter]);
  });
});

// 3x3 stride-1 convolutions with enough channels run as Winograd F(2x2, 3x3), or F(4x4, 3x3)
// with many channels, or F(3x3, 3x3) or F(5x5, 3x3) where the output is cut into 3s or 5s
// better than into 4s:
// sizes that leave partly used edge tiles, batch 1 and more, both paddings (the input
// gradient of 'valid' is a convolution padded by 2), channels off the 8-float vectors and
// 16-wide panels. CONVKIT_WINOGRAD=f2, f3, f4 and f5 (winograd.test.ts) run every 3x3 stride-1
// case above on each variant too.
const winogradCases: typeof cases = [
  { x: [1, 15, 17, 32], filter: [3, 3, 32, 40], stride: 1, pad: 'same' },
  { x: [2, 16, 13, 33], filter: [3, 3, 33, 17], stride: 1, pad: 'valid' },
  { x: [3, 7, 7, 128], filter: [3, 3, 128, 130], stride: 1, pad: 'same' },  // F(4x4): 7x7, partial edge tiles
  { x: [1, 11, 10, 72], filter: [3, 3, 72, 67], stride: 1, pad: 'same' },  // F(4x4): 11x10, 67 channels
  { x: [4, 20, 22, 16], filter: [3, 3, 16, 19], stride: 1, pad: 'valid' },
  { x: [2, 15, 15, 64], filter: [3, 3, 64, 70], stride: 1, pad: 'same' },  // F(5x5): 15x15
  { x: [1, 12, 13, 40], filter: [3, 3, 40, 37], stride: 1, pad: 'valid' },  // F(5x5): 10x11, partial edge tiles
  { x: [2, 3, 3, 64], filter: [3, 3, 64, 36], stride: 1, pad: 'same' },  // F(3x3): 3x3, one tile per image
  { x: [1, 11, 8, 24], filter: [3, 3, 24, 29], stride: 1, pad: 'valid' },  // F(3x3): 9x6
];

/** The geometries of the forward convolution and of the one that computes its input gradient. */
function winogradGeometries(c: (typeof cases)[number]): Int32Array[] {
  const [n, h, w, inC] = c.x, outC = c.filter[3];
  const forward = tf.backend_util.computeConv2DInfo([n, h, w, inC], [3, 3, inC, outC], 1, 1, c.pad);
  // dx = dy convolved with the turned filter, padded by 2 - the forward padding.
  const turned = tf.backend_util.computeConv2DInfo([n, forward.outHeight, forward.outWidth, outC],
    [3, 3, outC, inC], 1, 1, c.pad === 'same' ? 1 : 2);
  return [geometryOf(forward), geometryOf(turned)];
}

describe('Winograd convolutions (forward, input and filter gradients)', () => {
  for (const c of winogradCases) {
    it(`x ${c.x} filter ${c.filter} ${c.pad}`, () => {
      for (const geometry of winogradGeometries(c)) assert.ok(backend.addon!.winogradTile(geometry) > 0);
      assertSameOnBothBackends('conv2d', (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, c.pad),
        [c.x, c.filter]);
    });
  }
  for (const activation of ['relu', 'linear'] as const) {
    for (const c of winogradCases.slice(0, 2)) {
      it(`fused bias + ${activation}: x ${c.x} filter ${c.filter} ${c.pad}`, () => {
        assertSameOnBothBackends(`fused conv2d ${activation}`,
          (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1,
            pad: c.pad, activation }),
          [c.x, c.filter, [c.filter[3]]]);
      });
    }
  }
  it('leaves the first layer (3 input channels), 1x1 and strided convolutions direct', { skip: forced }, () => {
    const direct = [
      tf.backend_util.computeConv2DInfo([8, 32, 32, 3], [3, 3, 3, 32], 1, 1, 'same'),
      tf.backend_util.computeConv2DInfo([8, 16, 16, 64], [1, 1, 64, 64], 1, 1, 'same'),
      tf.backend_util.computeConv2DInfo([8, 16, 16, 64], [3, 3, 64, 64], 2, 1, 'same'),
    ];
    for (const info of direct) assert.equal(backend.addon!.winogradTile(geometryOf(info)), 0);
  });
});

// A conv whose output a 2x2 max pool of stride 2 takes next pools its own Winograd tiles
// (F(2x2) and F(4x4), sizes a multiple of the tile; ops.fusedConv2d's poolAfter): the pool must
// be MaxPool's, bit for bit, NaN and -inf included, and y unchanged; the gradient from its
// recorded maxima MaxPoolGrad's (relu's ties at 0 included, both floors, with the channel
// sums); elsewhere the addon says it did not pool and leaves the arrays alone.
// (winograd.test.ts runs these on every variant.)
const poolAfterCases: Array<{ x: number[]; filter: number[]; pad: 'same' | 'valid' }> = [
  { x: [1, 16, 16, 8], filter: [3, 3, 8, 9], pad: 'same' },  // F(4x4) by default; 9 channels
  { x: [2, 10, 10, 33], filter: [3, 3, 33, 20], pad: 'valid' },  // 8x8 outputs
  { x: [3, 12, 8, 16], filter: [3, 3, 16, 33], pad: 'same' },  // 12x8: 3 x 2 tiles of 4
  { x: [1, 14, 14, 16], filter: [3, 3, 16, 16], pad: 'same' },  // 14x14: pooled with F(2x2) only
  { x: [1, 15, 15, 64], filter: [3, 3, 64, 16], pad: 'same' },  // odd: never
  // Odd tiles cut windows: pooled a chunk of whole images at a time.
  { x: [5, 12, 12, 64], filter: [3, 3, 64, 16], pad: 'valid' },  // F(5x5) by default: 10x10, chunks of 3 and 2 images
  { x: [3, 12, 22, 16], filter: [3, 3, 16, 24], pad: 'valid' },  // F(5x5): 10x20, 8 tiles an image (chunks grow to 16)
  { x: [4, 8, 8, 32], filter: [3, 3, 32, 36], pad: 'valid' },  // F(3x3) by default: 6x6, chunks of 3 and 1 images
  { x: [1, 32, 32, 16], filter: [3, 3, 16, 16], pad: 'valid' },  // 30x30: F(5x5) pools its 36-tile images, F(3x3) not its 100
];

/** Whether the addon pools a convolution's output itself: tiles that cover it exactly and hold whole windows, or whole images of at most 36 tiles. */
function poolsOwnOutput(tile: number, outHeight: number, outWidth: number): boolean {
  if (tile === 0) return false;
  const side = tile % 2 === 0 ? tile : 2 * tile;
  const tilesPerImage = Math.ceil(outHeight / tile) * Math.ceil(outWidth / tile);
  return outHeight % side === 0 && outWidth % side === 0 && (tile % 2 === 0 || tilesPerImage <= 36);
}

describe('Conv2D pooling its own output (2x2 max pool, stride 2)', () => {
  const addon = backend.addon!;
  for (const c of poolAfterCases) {
    for (const activation of [0, 1]) {
      it(`x ${c.x} filter ${c.filter} ${c.pad}, ${activation ? 'relu' : 'linear'}`, () => {
        const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number],
          c.filter as [number, number, number, number], 1, 1, c.pad);
        const geometry = geometryOf(info);
        const x = randomValues(c.x.reduce((a, b) => a * b), 41);
        x[3] = NaN, x[x.length - 7] = -Infinity, x[100] = Infinity;
        const filter = randomValues(c.filter.reduce((a, b) => a * b), 42), bias = randomValues(info.outChannels, 43);
        const size = info.outShape.reduce((a, b) => a * b);
        const plain = new Float32Array(size), y = new Float32Array(size), pooled = new Float32Array(size / 4).fill(7.5);
        const argmax = new Uint8Array(size / 4).fill(9);
        addon.conv2d(x, filter, bias, plain, geometry, activation);
        const didPool = addon.conv2d(x, filter, bias, y, geometry, activation, pooled, argmax);
        const tile = addon.winogradTile(geometry);
        const expected = poolsOwnOutput(tile, info.outHeight, info.outWidth);
        assert.equal(didPool, expected);
        assert.deepEqual(y, plain);
        // Without y, the pool and argmax alone (the output's tiles held only on their way to them).
        const [pooledOnly, argmaxOnly] = [new Float32Array(size / 4).fill(7.5), new Uint8Array(size / 4).fill(9)];
        assert.equal(addon.conv2d(x, filter, bias, null, geometry, activation, pooledOnly, argmaxOnly), expected);
        assert.deepEqual([pooledOnly, argmaxOnly], [pooled, argmax]);
        if (!expected) return assert.ok(pooled.every((v) => v === 7.5) && argmax.every((v) => v === 9), 'untouched');
        const poolGeometry = geometryOf(
          tf.backend_util.computePool2DInfo(info.outShape as [number, number, number, number], 2, 2, 1, 'valid'));
        const maxPooled = new Float32Array(size / 4);
        addon.maxPool(plain, maxPooled, poolGeometry);
        assert.deepEqual(pooled, maxPooled);
        assert.ok(pooled.some((v) => !Number.isFinite(v)) && pooled.some(Number.isFinite), 'infinities and numbers in the pool');
        const dy = randomValues(size / 4, 44);
        for (const [floor, sums] of [[-Infinity, null], [0, info.outChannels]] as const) {
          const [dx, routed] = [new Float32Array(size), new Float32Array(size).fill(3)];
          const [dxSums, routedSums] = sums ? [new Float32Array(sums), new Float32Array(sums)] : [null, null];
          addon.maxPoolGrad(dy, plain, dx, poolGeometry, floor, dxSums);
          addon.maxPoolGradArgmax(dy, pooled, argmax, routed, poolGeometry, floor, routedSums);
          assert.deepEqual(routed, dx, `dx, floor ${floor}`);
          assert.deepEqual(routedSums, dxSums);
          assert.ok(dx.some((v) => v !== 0), 'some gradient routed');
        }
      });
    }
  }
  it('pools by default on a 16x16 output of 8 to 9 channels (F(4x4))', { skip: forced }, () => {
    const info = tf.backend_util.computeConv2DInfo([1, 16, 16, 8], [3, 3, 8, 9], 1, 1, 'same');
    assert.equal(addon.winogradTile(geometryOf(info)), 4);
  });
});

