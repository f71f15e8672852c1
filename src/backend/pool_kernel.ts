import { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

import { allocate, Backend, floatsOf, geometryOf, nativeKernel, output, sizeOf } from './kernel_utils';

type Precomputed = (backend: Backend, x: TensorInfo, geometry: Int32Array, outShape: number[]) => TensorInfo | undefined;

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Pooling geometry for the addon (NHWC, no dilation), plus the shapes around it. */
export function poolGeometry(inShape: number[], attrs: PoolAttrs) {
  const info = backend_util.computePool2DInfo(inShape as [number, number, number, number], attrs.filterSize,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  return { geometry: geometryOf(info), inShape: info.inShape, outShape: info.outShape };
}

/**
 * A forward pooling kernel (MaxPool, AvgPool): x in, pooled y out; or the pool `precomputed`
 * finds computed already.
 */
export function poolKernel(kernelName: string, pool: (x: Float32Array, y: Float32Array, geometry: Int32Array) => void,
  precomputed?: Precomputed) {
  return nativeKernel<{ x: TensorInfo }, PoolAttrs>(kernelName, ({ inputs, backend, attrs }) => {
    if (inputs.x.dtype !== 'float32' || inputs.x.shape.length !== 4) return null;
    const { geometry, outShape } = poolGeometry(inputs.x.shape, attrs);
    // Before x's values are read: a lazy output's need not be computed (lazy_output.ts).
    const ready = precomputed?.(backend, inputs.x, geometry, outShape);
    if (ready) return ready;
    const xValues = floatsOf(backend, inputs.x);
    if (!xValues) return null;
    const y = allocate(sizeOf(outShape));
    pool(xValues, y, geometry);
    return output(backend, outShape, y);
  });
}
