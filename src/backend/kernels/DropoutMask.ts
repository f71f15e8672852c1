import { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { DROPOUT_MASK, DropoutMaskAttrs } from '../custom_kernels';
import { allocate, KernelArgs, native, output, sizeOf } from '../kernel_utils';

function dropoutMask({ backend, attrs }: KernelArgs<object, DropoutMaskAttrs>): TensorInfo {
  const mask = allocate(sizeOf(attrs.shape));
  native().dropoutMask(mask, attrs.seed, attrs.rate);
  return output(backend, attrs.shape.slice(), mask);
}

export const dropoutMaskConfig: KernelConfig = {
  kernelName: DROPOUT_MASK, backendName: 'native', kernelFunc: dropoutMask as unknown as KernelFunc,
};
