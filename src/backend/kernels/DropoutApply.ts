import { TensorInfo } from '@tensorflow/tfjs-core';

import { DROPOUT_APPLY, DropoutApplyAttrs } from '../custom_kernels';
import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// x times the dropout mask, made a block at a time in cache: no mask array written and read
// back, no Multiply, and the same kernel again for the gradient (the mask is a function of
// the seed).
export const dropoutApplyConfig = nativeKernel<{ x: TensorInfo }, DropoutApplyAttrs>(DROPOUT_APPLY,
  ({ inputs, backend, attrs }) => {
    const x = floatsOf(backend, inputs.x);
    if (!x) return null;
    const y = allocate(x.length);
    native().dropoutApply(x, y, attrs.seed, attrs.rate);
    return output(backend, inputs.x.shape.slice(), y);
  });
