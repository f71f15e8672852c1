// Factories for the elementwise families, so each kernel file is one line (tfjs's way).
import { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

import { BinaryOp, UnaryOp } from './addon';
import { allocate, floatsOf, native, nativeKernel, output, sizeOf } from './kernel_utils';

export function unaryKernel(kernelName: string, op: UnaryOp) {
  return nativeKernel<{ x: TensorInfo }, { alpha?: number }>(kernelName, ({ inputs, backend, attrs }) => {
    const xValues = floatsOf(backend, inputs.x);
    if (!xValues) return null;
    const y = allocate(xValues.length);
    native().unary(op, xValues, y, xValues.length, attrs?.alpha ?? 0);
    return output(backend, inputs.x.shape.slice(), y);
  });
}

const MAX_RANK = 6;

/** Row-major strides of `shape` seen against `outShape`, with 0 along broadcast axes. */
function stridesAgainst(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, o = outShape.length - 1; i >= 0; i--, o--) {
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/**
 * The addon's broadcast layout (BroadcastShape in kernels.h): output axes with each
 * operand's strides, merging neighbours that both operands walk through contiguously.
 * Null when more than 6 axes remain.
 */
export function broadcastLayout(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]):
  Int32Array | null {
  const a = stridesAgainst(aShape, outShape), b = stridesAgainst(bShape, outShape);
  const dims: number[] = [], sa: number[] = [], sb: number[] = [];
  outShape.forEach((d, i) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && sa[last] === a[i] * d && sb[last] === b[i] * d) {
      dims[last] *= d;
      sa[last] = a[i];
      sb[last] = b[i];
    } else {
      dims.push(d);
      sa.push(a[i]);
      sb.push(b[i]);
    }
  });
  if (dims.length === 0) dims.push(1), sa.push(0), sb.push(0);
  if (dims.length > MAX_RANK) return null;
  const layout = new Int32Array(1 + 3 * MAX_RANK);
  layout[0] = dims.length;
  layout.set(dims, 1);
  layout.set(sa, 1 + MAX_RANK);
  layout.set(sb, 1 + 2 * MAX_RANK);
  return layout;
}

/** A binary kernel; `names` are its two inputs' names (tfjs calls them a and b). */
export function binaryKernel(kernelName: string, op: BinaryOp, names: [string, string] = ['a', 'b']) {
  return nativeKernel<Record<string, TensorInfo>, object>(kernelName, ({ inputs, backend }) => {
    const a = inputs[names[0]], b = inputs[names[1]];
    const aValues = floatsOf(backend, a), bValues = floatsOf(backend, b);
    if (!aValues || !bValues) return null;
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const layout = broadcastLayout(a.shape, b.shape, outShape);
    if (!layout) return null;
    const y = allocate(sizeOf(outShape));
    native().binary(op, aValues, bValues, y, layout);
    return output(backend, outShape, y);
  });
}
