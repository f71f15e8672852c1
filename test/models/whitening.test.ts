// airbench's whitening initialisation: the patch covariance against a plain per-patch sum,
// and the kernel layout checked by what matters: the convolution's outputs are white.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../../src';
import { Random } from '../../src/data/random';
import { ConvkitError } from '../../src/errors';
import { ImageBatchShape, initializeWhitening, patchCovariance, whiteningWeights } from '../../src/models/whitening';

/**
 * Smooth, channel-correlated images with a little noise: neighbouring pixels and channels
 * are strongly correlated, so whitening has real work to do and a wrong layout shows.
 */
function correlatedImages(shape: ImageBatchShape, seed: number): Float32Array {
  const random = Random.fromSeeds(seed);
  const [count, height, width, channels] = shape;
  const images = new Float32Array(count * height * width * channels);
  for (let n = 0; n < count; n++) {
    const [fy, fx, phase, tint] = [random.uniform(0.2, 0.9), random.uniform(0.2, 0.9), random.uniform(0, 6), random.uniform(-1, 1)];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const base = Math.sin(fy * y + phase) * Math.cos(fx * x - phase) + 0.3 * Math.sin(0.5 * (x + y));
        for (let c = 0; c < channels; c++) {
          images[((n * height + y) * width + x) * channels + c] = base * (1 + 0.3 * c * tint) + 0.05 * random.normal();
        }
      }
    }
  }
  return images;
}

/** The covariance written the obvious way: gather each patch, add its outer product. */
function naivePatchCovariance(images: Float32Array, shape: ImageBatchShape, k: number): number[][] {
  const [count, height, width, channels] = shape;
  const d = k * k * channels;
  const sums = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  let patches = 0;
  for (let n = 0; n < count; n++) {
    for (let y = 0; y + k <= height; y++) {
      for (let x = 0; x + k <= width; x++) {
        const patch: number[] = [];
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) {
            for (let c = 0; c < channels; c++) patch.push(images[((n * height + y + dy) * width + x + dx) * channels + c]);
          }
        }
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) sums[a][b] += patch[a] * patch[b];
        patches++;
      }
    }
  }
  return sums.map((row) => row.map((value) => value / patches));
}

/** Uncentred covariance of the channels of an NHWC tensor over every image and position. */
function channelCovariance(values: Float32Array, channels: number): number[][] {
  const positions = values.length / channels;
  const sums = Array.from({ length: channels }, () => new Array<number>(channels).fill(0));
  for (let p = 0; p < positions; p++) {
    for (let a = 0; a < channels; a++) {
      for (let b = 0; b < channels; b++) sums[a][b] += values[p * channels + a] * values[p * channels + b];
    }
  }
  return sums.map((row) => row.map((value) => value / positions));
}

describe('whitening initialisation', () => {
  it('computes the uncentred patch covariance in (row, column, channel) order', () => {
    for (const [shape, k] of [[[2, 5, 4, 2], 2], [[3, 6, 7, 3], 3], [[1, 3, 3, 1], 1]] as Array<[ImageBatchShape, number]>) {
      const images = correlatedImages(shape, k);
      const d = k * k * shape[3];
      const fast = patchCovariance(images, shape, k);
      naivePatchCovariance(images, shape, k).forEach((row, a) => row.forEach((expected, b) => {
        assert.ok(Math.abs(fast[a * d + b] - expected) < 1e-12, `k=${k} entry ${a},${b}: ${fast[a * d + b]} vs ${expected}`);
      }));
    }
  });

  it('gives filters whose outputs over the images have covariance diag(lambda / (lambda + eps)), then their negations', () => {
    const shape: ImageBatchShape = [12, 9, 8, 3];
    const images = correlatedImages(shape, 7);
    const eps = 5e-4;
    const { kernel, kernelShape, eigenvalues } = whiteningWeights(images, shape, 2, eps);
    const d = 12;
    assert.deepEqual(kernelShape, [2, 2, 3, 24]);
    assert.ok(eigenvalues.every((value, i) => i === 0 || value <= eigenvalues[i - 1]), `eigenvalues largest first: ${eigenvalues}`);
    // The images are correlated, so the spectrum spans orders of magnitude: whitening rescales a lot.
    assert.ok(eigenvalues[0] / eigenvalues[d - 1] > 100, `${eigenvalues}`);

    const outputs = tf.tidy(() => tf.conv2d(tf.tensor4d(images, shape),
      tf.tensor4d(kernel, kernelShape), 1, 'valid').dataSync() as Float32Array);
    assert.equal(outputs.length, 12 * 8 * 7 * 2 * d);
    const covariance = channelCovariance(outputs, 2 * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        const expected = a === b ? eigenvalues[a] / (eigenvalues[a] + eps) : 0;
        assert.ok(Math.abs(covariance[a][b] - expected) < 1e-4, `output covariance ${a},${b}: ${covariance[a][b]} vs ${expected}`);
        // The second half repeats the first with the opposite sign.
        assert.ok(Math.abs(covariance[a][d + b] + expected) < 1e-4, `covariance with the negated filter ${a},${d + b}`);
      }
    }
    // The large-eigenvalue directions come out with unit variance.
    assert.ok(Math.abs(covariance[0][0] - 1) < 1e-3);
    for (let i = 0; i < d; i++) {
      for (let p = 0; p < d; p++) assert.equal(kernel[p * 2 * d + d + i], -kernel[p * 2 * d + i]);
    }
  });

  it('sets the kernel of a Conv2D layer, leaves its bias, and rejects layers of the wrong shape', () => {
    const shape: ImageBatchShape = [4, 6, 6, 3];
    const images = correlatedImages(shape, 3);
    const model = tfl.sequential();
    model.add(tfl.layers.conv2d({ name: 'whiten', inputShape: [6, 6, 3], filters: 24, kernelSize: 2, biasInitializer: 'ones' }));
    model.add(tfl.layers.conv2d({ name: 'other', filters: 8, kernelSize: 3 }));
    const before = tf.memory().numTensors;
    const eigenvalues = initializeWhitening(model.getLayer('whiten'), images, shape);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    const expected = whiteningWeights(images, shape, 2);
    assert.deepEqual(eigenvalues, expected.eigenvalues);
    const [kernel, bias] = model.getLayer('whiten').getWeights();
    assert.deepEqual(kernel.dataSync(), expected.kernel);
    assert.deepEqual(Array.from(bias.dataSync()), new Array(24).fill(1));

    assert.throws(() => initializeWhitening(model.getLayer('other'), images, shape),
      (e: Error) => e instanceof ConvkitError && /2\*k\*k\*C filters.*'other' has \[3,3,24,8\]/.test(e.message));
    assert.throws(() => initializeWhitening(model.getLayer('whiten'), images.subarray(1), shape), /values are not 4 images/);
    assert.throws(() => whiteningWeights(images, shape, 7), /patch size must be a whole number from 1 to 6/);
    assert.throws(() => whiteningWeights(images, [4, 6, 6] as unknown as ImageBatchShape, 2), /four whole numbers/);
    model.dispose();
  });
});
