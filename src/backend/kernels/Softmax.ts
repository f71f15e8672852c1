import { Softmax, SoftmaxAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

export const softmaxConfig = nativeKernel<{ logits: TensorInfo }, SoftmaxAttrs>(Softmax, ({ inputs, backend, attrs }) => {
  const { logits } = inputs;
  const values = floatsOf(backend, logits);
  const rank = logits.shape.length;
  if (!values || rank === 0 || (attrs.dim !== -1 && attrs.dim !== rank - 1)) return null;
  const cols = logits.shape[rank - 1];
  const y = allocate(values.length);
  native().softmax(values, y, values.length / cols, cols);
  return output(backend, logits.shape.slice(), y);
});
