import { SGD_UPDATE, SgdUpdateAttrs, SgdUpdateInputs } from '../custom_kernels';
import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// One SGD step for one variable: new value and momentum buffer in one pass.
export const sgdUpdateConfig = nativeKernel<SgdUpdateInputs, SgdUpdateAttrs>(SGD_UPDATE, ({ inputs, backend, attrs }) => {
  const [value, buffer, gradient] = [inputs.value, inputs.momentumBuffer, inputs.gradient].map((t) => floatsOf(backend, t));
  if (!value || !buffer || !gradient || buffer.length !== value.length || gradient.length !== value.length) return null;
  const newValue = allocate(value.length), newBuffer = allocate(value.length);
  native().sgdUpdate(value, buffer, gradient, newValue, newBuffer, Float32Array.from(attrs.scalars), attrs.nesterov ? 1 : 0);
  return [output(backend, inputs.value.shape.slice(), newValue), output(backend, inputs.value.shape.slice(), newBuffer)];
});
