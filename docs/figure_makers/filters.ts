// The hand-made filters of the tutorial's first sections and what they do to an image,
// computed with convkit's tfjs ops (tf.conv2d, tf.relu, tf.maxPool run on the native backend).
import { tf } from '../../src';
import type { Image } from '../../src/insight';

/** Bright on the left, dark on the right gives a large value: it lights up along vertical lines. */
export const VERTICAL_LINES = [[1, 0, -1], [1, 0, -1], [1, 0, -1]];
/** The same turned a quarter: it lights up along horizontal lines. */
export const HORIZONTAL_LINES = [[1, 1, 1], [0, 0, 0], [-1, -1, -1]];

/** One channel of values (row-major), the unit the concept figures work on. */
export interface Plane {
  values: Float32Array;
  height: number;
  width: number;
}

/** The image in grey, 0..1: the mean of its channels. */
export function greyPlane(image: Image): Plane {
  const values = tf.tidy(() => {
    const pixels = tf.tensor3d(Float32Array.from(image.pixels), [image.height, image.width, image.channels]);
    return tf.div(tf.mean(pixels, 2), 255).dataSync() as Float32Array;
  });
  return { values, height: image.height, width: image.width };
}

/** A 3x3 filter slid over the plane one pixel at a time, no padding: (h-2) x (w-2) sums of products. */
export function convolve(plane: Plane, kernel: number[][]): Plane {
  const size = kernel.length;
  const values = tf.tidy(() => {
    const input = tf.tensor4d(plane.values, [1, plane.height, plane.width, 1]);
    const filter = tf.tensor4d(kernel.flat(), [size, size, 1, 1]);
    return tf.conv2d(input, filter, 1, 'valid').dataSync() as Float32Array;
  });
  return { values, height: plane.height - size + 1, width: plane.width - size + 1 };
}

export function relu(plane: Plane): Plane {
  const values = tf.tidy(() => tf.relu(tf.tensor1d(plane.values)).dataSync() as Float32Array);
  return { ...plane, values };
}

/** 2x2 windows, stride 2: each keeps its largest value. */
export function maxPool2x2(grid: number[][]): number[][] {
  const rows = grid.length;
  const columns = grid[0].length;
  return tf.tidy(() => {
    const pooled = tf.maxPool(tf.tensor4d(grid.flat(), [1, rows, columns, 1]), 2, 2, 'valid');
    return (pooled.reshape([rows / 2, columns / 2]) as tf.Tensor2D).arraySync();
  });
}

/** The values of a square window of the plane as rows. */
export function window(plane: Plane, top: number, left: number, size: number): number[][] {
  return Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => plane.values[(top + r) * plane.width + left + c]));
}

export function largestMagnitude(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  return largest;
}

/**
 * The end of a colour scale for these values: the 98th percentile of their magnitudes, so
 * a few extreme pixels (a photo's frame) do not wash out everything else.
 */
export function displayLimit(values: ArrayLike<number>): number {
  const magnitudes = Float64Array.from(values, Math.abs).sort();
  return magnitudes[Math.floor(0.98 * (magnitudes.length - 1))] || largestMagnitude(values) || 1;
}

/** Pixels this close to the border are left out when looking for lines: photos often have a frame. */
export const BORDER = 2;

/** The index of the largest magnitude away from the border. */
export function strongestInside(plane: Plane): number {
  let best = -1;
  for (let y = BORDER; y < plane.height - BORDER; y++) {
    for (let x = BORDER; x < plane.width - BORDER; x++) {
      const index = y * plane.width + x;
      if (best < 0 || Math.abs(plane.values[index]) > Math.abs(plane.values[best])) best = index;
    }
  }
  return Math.max(0, best);
}

/**
 * How clearly the plane holds long straight lines along one direction: the largest
 * column (vertical) or row (horizontal) sum of the filter response, per pixel of length.
 * Long edges add up; texture cancels itself out.
 */
export function lineStrength(response: Plane, direction: 'vertical' | 'horizontal'): number {
  const sums = new Float64Array(direction === 'vertical' ? response.width : response.height);
  for (let y = BORDER; y < response.height - BORDER; y++) {
    for (let x = BORDER; x < response.width - BORDER; x++) sums[direction === 'vertical' ? x : y] += response.values[y * response.width + x];
  }
  return largestMagnitude(sums) / (direction === 'vertical' ? response.height : response.width);
}
