import { TensorInfo } from '@tensorflow/tfjs-core';

import { sizeOf } from './kernel_utils';

/**
 * The addon's matmul shape block for tfjs's BatchMatMul semantics, or null when the batch
 * dimensions broadcast in a way the addon does not handle (it takes equal batches or a 1).
 */
export function matMulShape(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean):
  { shape: Int32Array; outShape: number[] } | null {
  const rankA = a.shape.length, rankB = b.shape.length;
  if (rankA < 2 || rankB < 2) return null;
  const m = transposeA ? a.shape[rankA - 1] : a.shape[rankA - 2];
  const k = transposeA ? a.shape[rankA - 2] : a.shape[rankA - 1];
  const kB = transposeB ? b.shape[rankB - 1] : b.shape[rankB - 2];
  const n = transposeB ? b.shape[rankB - 2] : b.shape[rankB - 1];
  if (k !== kB) return null;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA), batchB = sizeOf(outerB);
  const outer = batchA >= batchB ? outerA : outerB;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  return {
    shape: Int32Array.from([batchA, batchB, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0]),
    outShape: [...outer, m, n],
  };
}
