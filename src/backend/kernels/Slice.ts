import { KernelConfig, KernelFunc, Slice, SliceAttrs, slice_util, TensorInfo, util } from '@tensorflow/tfjs-core';

import { allocate, cpuKernel, KernelArgs, native, output } from '../kernel_utils';

// tfjs's CPU Slice copies a non-contiguous box one element at a time through index
// arrays (~2 µs per element); this copies whole rows natively. A contiguous box stays
// tfjs's: it is a zero-copy view, which nothing beats.
function sliceKernel(args: KernelArgs<{ x: TensorInfo }, SliceAttrs>): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  const values = backend.data.get(x.dataId).values;
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || !(values instanceof Float32Array) || rank < 1 || rank > 6 ||
      slice_util.isSliceContinous(x.shape, begin, size)) {
    return cpuKernel(Slice)(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
  }
  slice_util.assertParamsValid(x, begin, size);
  const y = allocate(util.sizeFromShape(size));
  native().slice(values, y, Int32Array.from(x.shape), Int32Array.from(begin), Int32Array.from(size));
  return output(backend, size, y);
}

export const sliceConfig: KernelConfig = {
  kernelName: Slice, backendName: 'native', kernelFunc: sliceKernel as unknown as KernelFunc,
};
