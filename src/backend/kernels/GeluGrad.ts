import { TensorInfo } from '@tensorflow/tfjs-core';

import { GELU_GRAD } from '../custom_kernels';
import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// GELU's gradient dy * (Φ(x) + x φ(x)) in one pass.
export const geluGradConfig = nativeKernel<{ dy: TensorInfo; x: TensorInfo }, object>(GELU_GRAD, ({ inputs, backend }) => {
  const dy = floatsOf(backend, inputs.dy), x = floatsOf(backend, inputs.x);
  if (!dy || !x || dy.length !== x.length) return null;
  const dx = allocate(x.length);
  native().geluGrad(dy, x, dx);
  return output(backend, inputs.x.shape.slice(), dx);
});
