import { TensorInfo } from '@tensorflow/tfjs-core';

import { GELU } from '../custom_kernels';
import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// GELU, x * Φ(x), in one pass instead of tfjs-layers' five elementwise ops.
export const geluConfig = nativeKernel<{ x: TensorInfo }, object>(GELU, ({ inputs, backend }) => {
  const x = floatsOf(backend, inputs.x);
  if (!x) return null;
  const y = allocate(x.length);
  native().gelu(x, y);
  return output(backend, inputs.x.shape.slice(), y);
});
