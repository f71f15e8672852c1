import { backend_util, TensorInfo, util } from '@tensorflow/tfjs-core';

import { ReduceOp } from './addon';
import { allocate, floatsOf, native, nativeKernel, output, sizeOf } from './kernel_utils';

/**
 * Sum, Mean, Max, Min over a contiguous block of axes, seen as [outer, reduce, inner].
 * tfjs names the axis attribute `axis` for most reductions and `reductionIndices` for Max.
 */
export function reduceKernel(kernelName: string, op: ReduceOp) {
  type Attrs = { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
  return nativeKernel<{ x: TensorInfo }, Attrs>(kernelName, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const xValues = floatsOf(backend, x);
    if (!xValues) return null;
    const axes = util.parseAxisParam(attrs.axis ?? attrs.reductionIndices ?? x.shape.map((_, i) => i), x.shape).sort((p, q) => p - q);
    if (axes.some((axis, i) => axis !== axes[0] + i)) return null;
    const first = axes.length ? axes[0] : 0, end = axes.length ? axes[axes.length - 1] + 1 : 0;
    const outer = sizeOf(x.shape.slice(0, first)), inner = sizeOf(x.shape.slice(end));
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const y = allocate(outer * inner);
    native().reduce(op, xValues, y, outer, sizeOf(x.shape.slice(first, end)), inner);
    return output(backend, attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, y);
  });
}
