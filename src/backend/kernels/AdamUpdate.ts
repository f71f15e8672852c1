import { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { bufferPool } from '../buffer_pool';
import { ADAM_UPDATE, AdamUpdateAttrs, AdamUpdateInputs, runAdamUpdate } from '../custom_kernels';
import { allocatedCopy, KernelArgs, native } from '../kernel_utils';

/** The array itself when only this backend can see it, else a recycled copy of it. */
function ownedArray(values: Float32Array): Float32Array {
  return bufferPool.isPrivate(values) ? values : allocatedCopy(values);
}

// One Adam step for all the variables in one call, in place: each variable cost a kernel
// call, three output tensors and three assigns (~25 µs of JavaScript), a step's dozen ~0.3 ms.
function adamUpdate(args: KernelArgs<AdamUpdateInputs, AdamUpdateAttrs>): TensorInfo[] {
  return runAdamUpdate(args, ownedArray, (arrays, scalars) => native().adamUpdate(arrays, scalars));
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: ADAM_UPDATE, backendName: 'native', kernelFunc: adamUpdate as unknown as KernelFunc,
};
