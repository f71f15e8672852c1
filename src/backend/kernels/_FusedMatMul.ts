import { _FusedMatMul, _FusedMatMulAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { fusedActivation } from '../fused_activation';
import { allocate, floatsOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { matMulShape } from '../matmul_shape';

// Dense layers: the product, bias and linear/relu activation in one pass.
export const fusedMatMulConfig = nativeKernel<{ a: TensorInfo; b: TensorInfo; bias?: TensorInfo }, _FusedMatMulAttrs>(_FusedMatMul,
  ({ inputs, backend, attrs }) => {
    const { a, b, bias } = inputs;
    const aValues = floatsOf(backend, a), bValues = floatsOf(backend, b);
    const plan = matMulShape(a, b, attrs.transposeA, attrs.transposeB);
    const act = fusedActivation(attrs.activation);
    if (!aValues || !bValues || !plan || act === null) return null;
    const n = plan.outShape[plan.outShape.length - 1];
    const biasValues = bias ? floatsOf(backend, bias) : null;
    if (bias && (!biasValues || biasValues.length !== n)) return null;
    const y = allocate(sizeOf(plan.outShape));
    native().matmul(aValues, bValues, biasValues, y, plan.shape, act);
    return output(backend, plan.outShape, y);
  });
