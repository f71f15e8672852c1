import { BatchMatMul, BatchMatMulAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { Activation } from '../addon';
import { allocate, floatsOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { matMulShape } from '../matmul_shape';

export const batchMatMulConfig = nativeKernel<{ a: TensorInfo; b: TensorInfo }, BatchMatMulAttrs>(BatchMatMul,
  ({ inputs, backend, attrs }) => {
    const { a, b } = inputs;
    const aValues = floatsOf(backend, a), bValues = floatsOf(backend, b);
    const plan = matMulShape(a, b, attrs.transposeA, attrs.transposeB);
    if (!aValues || !bValues || !plan) return null;
    const y = allocate(sizeOf(plan.outShape));
    native().matmul(aValues, bValues, null, y, plan.shape, Activation.Linear);
    return output(backend, plan.outShape, y);
  });
