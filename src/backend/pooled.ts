// Max pools computed ahead, by the conv whose output they pool. A convkit Conv2D layer whose
// output goes (through its relu) only to a 2x2 MaxPooling2D of stride 2 asks its kernel for
// that pool too (ConvkitFusedConv2D's poolAfter): the Winograd kernel pools each output tile
// while it is in cache, instead of a MaxPool pass reading the whole output back from memory.
// The pooled values wait here, keyed by the conv output's data, until the MaxPool kernel
// is called on that output with those attributes and takes them; unclaimed, they go with
// the output's data to the garbage collector.
import { TensorInfo } from '@tensorflow/tfjs-core';

const pooled = new WeakMap<object, { shape: number[]; values: Float32Array }>();

/** `values` ([batch, height / 2, width / 2, channels]) is the 2x2 max pool of stride 2 of `tensor`. */
export function rememberMaxPool(tensor: TensorInfo, values: Float32Array): void {
  const [batch, height, width, channels] = tensor.shape;
  pooled.set(tensor.dataId, { shape: [batch, height / 2, width / 2, channels], values });
}

/**
 * The max pool of `tensor` computed ahead, if any and if `geometry` (conv_geometry.h's 15
 * integers) is that pool's: 2x2 windows of stride 2, no padding, a whole number of windows.
 * It is handed out once.
 */
export function takeMaxPool(tensor: TensorInfo, geometry: Int32Array): { shape: number[]; values: Float32Array } | undefined {
  const entry = pooled.get(tensor.dataId);
  if (!entry) return undefined;
  const [, inH, inW, , outH, outW, , filterH, filterW, strideH, strideW, , , padTop, padLeft] = geometry;
  const same = filterH === 2 && filterW === 2 && strideH === 2 && strideW === 2 && padTop === 0 && padLeft === 0 &&
    outH * 2 === inH && outW * 2 === inW;
  if (!same) return undefined;
  pooled.delete(tensor.dataId);
  return entry;
}
