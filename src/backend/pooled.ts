// Max pools computed ahead, by the conv whose output they pool. A convkit Conv2D layer whose
// output goes (through its relu) only to a 2x2 MaxPooling2D of stride 2 asks its kernel for
// that pool too (ConvkitFusedConv2D's poolAfter): the Winograd kernel pools each output tile
// while it is in cache, instead of a MaxPool pass reading the whole output back from memory,
// and records which element of each window was its maximum, so that MaxPoolGrad need not
// read the output again either. The pooled values wait here, keyed by the conv output's data,
// until the MaxPool kernel is called on that output with those attributes and takes them;
// the record stays with the output's data for MaxPoolGrad. When the output's data is
// released, an unclaimed pool goes back to the buffer pool and the record is kept for the
// next conv's: a fresh record array every step cost ~200 page faults per step (0.8 MB).
import { DataId, TensorInfo } from '@tensorflow/tfjs-core';

import { bufferPool } from './buffer_pool';
import { Backend, output } from './kernel_utils';

interface AheadOfTime {
  values: Float32Array;
  argmax: Uint8Array;
}

const pooled = new WeakMap<object, AheadOfTime>();
// The argmax of a taken pool, by the pool's input data, with the pool's output data.
const taken = new WeakMap<object, { pool: object; argmax: Uint8Array }>();

// Record arrays of released outputs, by length, for the next convs; a few of each length.
const spareRecords = new Map<number, Uint8Array[]>();
const SPARE_RECORDS_PER_LENGTH = 8;

/** An array for a pool's record of `length` bytes, with arbitrary contents. */
export function recordArray(length: number): Uint8Array {
  return spareRecords.get(length)?.pop() ?? new Uint8Array(length);
}

/**
 * `values` ([batch, height / 2, width / 2, channels]) is the 2x2 max pool of stride 2 of
 * `tensor`, and `argmax` (as many bytes, from recordArray) each window's first maximum, 0-3
 * row-major (4: none).
 */
export function rememberMaxPool(tensor: TensorInfo, values: Float32Array, argmax: Uint8Array): void {
  pooled.set(tensor.dataId, { values, argmax });
}

/** Called when a tensor's data is released: frees what this module kept for it. */
export function releaseMaxPool(dataId: DataId): void {
  const unclaimed = pooled.get(dataId), record = taken.get(dataId);
  if (unclaimed) bufferPool.give(unclaimed.values);
  const argmax = unclaimed?.argmax ?? record?.argmax;
  pooled.delete(dataId);
  taken.delete(dataId);
  if (argmax) releaseRecordArray(argmax);
}

/** Keeps a record array nobody holds any more for recordArray(). */
export function releaseRecordArray(argmax: Uint8Array): void {
  const spare = spareRecords.get(argmax.length) ?? [];
  if (spare.length < SPARE_RECORDS_PER_LENGTH) spare.push(argmax);
  spareRecords.set(argmax.length, spare);
}

/** Whether `geometry` (conv_geometry.h's 15 integers) is a 2x2 pool of stride 2 over whole windows. */
function wholeWindowsOfTwo(geometry: Int32Array): boolean {
  const [, inH, inW, , outH, outW, , filterH, filterW, strideH, strideW, , , padTop, padLeft] = geometry;
  return filterH === 2 && filterW === 2 && strideH === 2 && strideW === 2 && padTop === 0 && padLeft === 0 &&
    outH * 2 === inH && outW * 2 === inW;
}

/**
 * MaxPool's output for `x`, if its pool was computed ahead and `geometry` is that pool's;
 * handed out once.
 */
export function takeMaxPool(backend: Backend, x: TensorInfo, geometry: Int32Array, outShape: number[]): TensorInfo | undefined {
  const entry = pooled.get(x.dataId);
  if (!entry || !wholeWindowsOfTwo(geometry)) return undefined;
  pooled.delete(x.dataId);
  const result = output(backend, outShape, entry.values);
  taken.set(x.dataId, { pool: result.dataId, argmax: entry.argmax });
  return result;
}

/** The argmax recorded for the pool `pool` of `x` (a MaxPoolGrad's input and output), if any. */
export function argmaxOf(x: TensorInfo, pool: TensorInfo, geometry: Int32Array): Uint8Array | undefined {
  const entry = taken.get(x.dataId);
  return entry && entry.pool === pool.dataId && wholeWindowsOfTwo(geometry) ? entry.argmax : undefined;
}
