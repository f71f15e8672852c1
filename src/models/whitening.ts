// airbench's whitening initialisation of the first convolution (arXiv 2404.00498, section
// 3.2): its 2*k*k*C filters become the eigenvectors of the k x k patch covariance of the
// training images, each divided by sqrt(eigenvalue + eps), then the same negated, so the
// layer's first half of outputs are the whitened patches (identity covariance) and a ReLU
// after it keeps both signs of each. The filters stay frozen or nearly so in the recipe;
// this sets them once, before training.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// ml-matrix (maintained, no native code, typed) for the symmetric eigen-decomposition:
// a hand-written Jacobi or QL solver would be one more numerical routine to own and test.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

import { ConvkitError } from '../errors';

/** A batch of images stored back to back, as tfjs writes its shape: [count, height, width, channels]. */
export type ImageBatchShape = [count: number, height: number, width: number, channels: number];

export interface WhiteningWeights {
  /** The kernel as tfjs's Conv2D holds it: [k, k, C, 2*k*k*C], flat. */
  kernel: Float32Array;
  kernelShape: [number, number, number, number];
  /** Eigenvalues of the patch covariance, largest first (filter i belongs to eigenvalue i). */
  eigenvalues: Float64Array;
}

/** airbench's eps: keeps the filters of near-zero eigenvalues from blowing up. */
export const WHITENING_EPS = 5e-4;

function checkImages(images: Float32Array, shape: ImageBatchShape, patchSize: number): void {
  if (shape.length !== 4 || !shape.every((size) => Number.isSafeInteger(size) && size >= 1)) {
    throw new ConvkitError(`whitening: the images' shape must be four whole numbers >= 1 [count, height, width, channels], got [${shape}]`);
  }
  const [count, height, width, channels] = shape;
  if (images.length !== count * height * width * channels) {
    throw new ConvkitError(`whitening: ${images.length} values are not ${count} images of ${height}x${width}x${channels}`);
  }
  if (!(Number.isSafeInteger(patchSize) && patchSize >= 1 && patchSize <= Math.min(height, width))) {
    throw new ConvkitError(`whitening: the patch size must be a whole number from 1 to ${Math.min(height, width)}, got ${patchSize}`);
  }
}

/**
 * The uncentred covariance P^T P / n of every k x k patch (stride 1, inside the image) of
 * `images` (NHWC floats), as a dense d x d matrix, d = k*k*C, rows in patch order
 * (row, column, channel): the order of a tfjs conv kernel's first three axes.
 */
export function patchCovariance(images: Float32Array, shape: ImageBatchShape, patchSize: number): Float64Array {
  checkImages(images, shape, patchSize);
  const [count, height, width, channels] = shape;
  const k = patchSize;
  const d = k * k * channels;
  // Where each patch entry sits relative to the patch's top-left value; three more copies
  // of the last one let the loop below run in fours (their products are dropped).
  const offsets = new Int32Array(d + 3);
  for (let dy = 0, p = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) for (let c = 0; c < channels; c++) offsets[p++] = (dy * width + dx) * channels + c;
  }
  offsets.fill(offsets[d - 1], d);
  const rowStride = width * channels;
  const positionsPerRow = width - k + 1;
  // One pass over the images, upper triangle only. Each entry (a, b) is a sum of products
  // of the image with itself shifted by offsets[b] - offsets[a]; four entries at a time
  // share the load of a and keep their sums in registers, about three times faster than
  // updating a d x d array per patch. Images are copied to float64 once (no conversion per
  // product) and each image's sums are added in float64: millions of products are summed.
  const sums = new Float64Array(d * d);
  const image = new Float64Array(height * rowStride);
  for (let n = 0; n < count; n++) {
    for (let i = 0, from = n * image.length; i < image.length; i++) image[i] = images[from + i];
    for (let a = 0; a < d; a++) {
      const start = offsets[a];
      for (let b = a; b < d; b += 4) {
        const shift0 = offsets[b] - start, shift1 = offsets[b + 1] - start, shift2 = offsets[b + 2] - start, shift3 = offsets[b + 3] - start;
        let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
        for (let y = 0; y + k <= height; y++) {
          const end = y * rowStride + start + positionsPerRow * channels;
          for (let i = y * rowStride + start; i < end; i += channels) {
            const value = image[i];
            sum0 += value * image[i + shift0];
            sum1 += value * image[i + shift1];
            sum2 += value * image[i + shift2];
            sum3 += value * image[i + shift3];
          }
        }
        const row = a * d;
        sums[row + b] += sum0;
        if (b + 1 < d) sums[row + b + 1] += sum1;
        if (b + 2 < d) sums[row + b + 2] += sum2;
        if (b + 3 < d) sums[row + b + 3] += sum3;
      }
    }
  }
  const patches = count * (height - k + 1) * (width - k + 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      sums[a * d + b] /= patches;
      sums[b * d + a] = sums[a * d + b];
    }
  }
  return sums;
}

/**
 * The whitening kernel of a k x k convolution over `images` (NHWC floats, already
 * normalised as the network sees them): filter i is eigenvector i of the patch covariance
 * (largest eigenvalue first) divided by sqrt(eigenvalue + eps), filter d + i its negation.
 */
export function whiteningWeights(images: Float32Array, shape: ImageBatchShape, patchSize: number, eps = WHITENING_EPS): WhiteningWeights {
  if (!(eps > 0 && Number.isFinite(eps))) throw new ConvkitError(`whitening: eps must be a positive number, got ${eps}`);
  const covariance = patchCovariance(images, shape, patchSize);
  const channels = shape[3];
  const d = patchSize * patchSize * channels;
  const rows = Array.from({ length: d }, (_, a) => Array.from(covariance.subarray(a * d, (a + 1) * d)));
  const decomposition = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const vectors = decomposition.eigenvectorMatrix;
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => values[j] - values[i]);
  const filters = 2 * d;
  const kernel = new Float32Array(d * filters);
  const eigenvalues = new Float64Array(d);
  order.forEach((column, i) => {
    eigenvalues[i] = values[column];
    // Rounding can leave a zero eigenvalue slightly negative; it must not make the root NaN.
    const scale = 1 / Math.sqrt(Math.max(values[column], 0) + eps);
    // Kernel [kh, kw, c, o] flat is (patch index) * filters + o, patch index in (kh, kw, c) order.
    for (let p = 0; p < d; p++) {
      const weight = vectors.get(p, column) * scale;
      kernel[p * filters + i] = weight;
      kernel[p * filters + d + i] = -weight;
    }
  });
  return { kernel, kernelShape: [patchSize, patchSize, channels, filters], eigenvalues };
}

/**
 * Sets the kernel of `layer`, a Conv2D with a square k x k kernel over C channels and
 * 2*k*k*C filters (channels last), to the whitening filters of `images` (NHWC floats,
 * normalised as the network sees them; airbench uses its first 5,000 training images).
 * A bias, if the layer has one, is left as it is. Returns the eigenvalues, largest first.
 */
export function initializeWhitening(layer: tfl.layers.Layer, images: Float32Array, shape: ImageBatchShape, eps = WHITENING_EPS): Float64Array {
  if (layer.getClassName() !== 'Conv2D') throw new ConvkitError(`whitening initialises a Conv2D layer, '${layer.name}' is a ${layer.getClassName()}`);
  const config = layer.getConfig();
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
    throw new ConvkitError(`whitening needs a channels-last convolution, '${layer.name}' is ${String(config.dataFormat)}`);
  }
  const kernelIndex = layer.weights.findIndex((weight) => weight.originalName.endsWith('/kernel'));
  if (kernelIndex < 0) throw new ConvkitError(`'${layer.name}' has no kernel yet: build the model before initialising it`);
  const kernelShape = layer.weights[kernelIndex].shape as number[];
  const [kh, kw, inChannels, filters] = kernelShape;
  const d = kh * kw * inChannels;
  const channels = shape[3];
  if (kh !== kw || inChannels !== channels || filters !== 2 * d) {
    throw new ConvkitError(`whitening needs a square kernel over the images' ${channels} channels with 2*k*k*C filters ` +
      `(k=${kh}: [${kh},${kh},${channels},${2 * kh * kh * channels}]), '${layer.name}' has [${kernelShape}]`);
  }
  const weights = whiteningWeights(images, shape, kh, eps);
  // write() makes the variable hold the new values, so the tensor itself can go.
  tf.tidy(() => { layer.weights[kernelIndex].write(tf.tensor(weights.kernel, weights.kernelShape)); });
  return weights.eigenvalues;
}
