import { KernelFunc, Slice, SliceAttrs, slice_util, TensorInfo } from '@tensorflow/tfjs-core';

import { cpuKernel, gatherRows, nativeKernel } from '../kernel_utils';

// tfjs's CPU Slice copies a non-contiguous box one element at a time through index
// arrays (~2 µs per element); this copies whole rows natively. A contiguous box stays
// tfjs's: it is a zero-copy view, which nothing beats.
export const sliceConfig = nativeKernel<{ x: TensorInfo }, SliceAttrs>(Slice, (args) => {
  const { inputs: { x }, backend, attrs } = args;
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  if (slice_util.isSliceContinous(x.shape, begin, size)) return cpuKernel(Slice)(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
  slice_util.assertParamsValid(x, begin, size);
  const last = x.shape.length - 1;
  const maps = size.slice(0, last).map((length, axis) => Array.from({ length }, (_, i) => begin[axis] + i));
  return gatherRows(backend, x, size, maps, begin[last]);
});
