import { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { ADAM_UPDATE, AdamUpdateAttrs, AdamUpdateInputs } from '../custom_kernels';
import { allocate, floatsOf, KernelArgs, native, output } from '../kernel_utils';

// One Adam step for one variable: new value, first and second moments in one pass.
function adamUpdate({ inputs, backend, attrs }: KernelArgs<AdamUpdateInputs, AdamUpdateAttrs>): TensorInfo[] {
  const [value, m, v, gradient] = [inputs.value, inputs.m, inputs.v, inputs.gradient].map((t) => {
    const values = floatsOf(backend, t);
    if (!values) throw new Error('convkit: Adam updates float32 variables only');
    return values;
  });
  const outputs = [allocate(value.length), allocate(value.length), allocate(value.length)];
  native().adamUpdate(value, m, v, gradient, outputs[0], outputs[1], outputs[2], Float32Array.from(attrs.scalars));
  return outputs.map((values) => output(backend, inputs.value.shape.slice(), values));
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: ADAM_UPDATE, backendName: 'native', kernelFunc: adamUpdate as unknown as KernelFunc,
};
