import { AvgPoolGrad, AvgPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { allocate, floatsOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { poolGeometry } from '../pool_kernel';

export const avgPoolGradConfig = nativeKernel<{ dy: TensorInfo; input: TensorInfo }, AvgPoolGradAttrs>(AvgPoolGrad,
  ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    const dyValues = floatsOf(backend, dy);
    if (!dyValues || input.shape.length !== 4) return null;
    const pool = poolGeometry(input.shape, attrs);
    const dx = allocate(sizeOf(pool.inShape));
    native().avgPoolGrad(dyValues, dx, pool.geometry);
    return output(backend, pool.inShape, dx);
  });
