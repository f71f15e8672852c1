import { Transpose, TransposeAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

export const transposeConfig = nativeKernel<{ x: TensorInfo }, TransposeAttrs>(Transpose, ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const values = floatsOf(backend, x);
  if (!values || x.shape.length < 1 || x.shape.length > 6) return null;
  const y = allocate(values.length);
  native().transpose(values, y, Int32Array.from(x.shape), Int32Array.from(attrs.perm));
  return output(backend, attrs.perm.map((axis) => x.shape[axis]), y);
});
