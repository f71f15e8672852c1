// Small helpers every native kernel file uses: typed access to tensor data, the geometry
// block the addon expects, and a fallback to tfjs's own CPU kernel for cases we skip.
import { backend_util, getKernel, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo }
  from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { addon, NativeAddon } from './addon';
import { bufferPool } from './buffer_pool';

export type Backend = MathBackendCPU;

export interface KernelArgs<I = NamedTensorInfoMap, A = NamedAttrMap> {
  inputs: I;
  backend: Backend;
  attrs: A;
}

/** The loaded addon; kernels are only registered when it loaded. */
export function native(): NativeAddon {
  if (!addon) throw new Error('convkit: the native addon is not loaded');
  return addon;
}

/** The tensor's values when it is a plain float32 tensor, else null (the caller falls back). */
export function floatsOf(backend: Backend, t: TensorInfo | undefined | null): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : null;
}

/**
 * A per-channel parameter: undefined when absent, its values when it is a float32 [channels]
 * vector, else null (the caller falls back).
 */
export function channelVector(backend: Backend, t: TensorInfo | undefined, channels: number): Float32Array | null | undefined {
  if (t === undefined) return undefined;
  return t.shape.length === 1 && t.shape[0] === channels ? floatsOf(backend, t) : null;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Memory for a kernel's output, recycled from disposed tensors: write every element. */
export function allocate(length: number): Float32Array {
  return bufferPool.take(length);
}

/** A copy of `values` in memory from allocate(). */
export function allocatedCopy(values: Float32Array): Float32Array {
  const copy = allocate(values.length);
  copy.set(values);
  return copy;
}

/** Registers an array from allocate() as the kernel's output tensor. */
export function output(backend: Backend, shape: number[], values: Float32Array): TensorInfo {
  const owner = backend as Backend & { registerOutput?: (shape: number[], values: Float32Array) => TensorInfo };
  return owner.registerOutput ? owner.registerOutput(shape, values) : backend.makeTensorInfo(shape, 'float32', values);
}

/** The 15 integers of native/src/kernels/conv_geometry.h. */
export function geometryOf(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  ]);
}

/** tfjs's CPU implementation of a kernel, used for the cases the addon does not cover. */
export function cpuKernel(name: string): KernelFunc {
  const config = getKernel(name, 'cpu');
  if (!config) throw new Error(`convkit: tfjs's cpu backend has no kernel ${name}`);
  return config.kernelFunc;
}

const fallbacks = new Map<string, number>();

/** How often each native kernel handed a call to tfjs's CPU kernel (tests and bench read it). */
export function fallbackCounts(): ReadonlyMap<string, number> {
  return fallbacks;
}

/**
 * Builds a kernel config that runs `run` natively and falls back to tfjs's CPU kernel
 * whenever `run` returns null (an unsupported dtype, layout or activation).
 */
export function nativeKernel<I, A>(
  kernelName: string,
  run: (args: KernelArgs<I, A>) => TensorInfo | TensorInfo[] | null,
): KernelConfig {
  let fallback: KernelFunc | undefined;
  const kernelFunc = ((args: KernelArgs<I, A>) => {
    const result = run(args);
    if (result) return result;
    fallbacks.set(kernelName, (fallbacks.get(kernelName) ?? 0) + 1);
    fallback ??= cpuKernel(kernelName);
    return fallback(args as unknown as Parameters<KernelFunc>[0]);
  }) as unknown as KernelFunc;
  return { kernelName, backendName: 'native', kernelFunc };
}

/**
 * A float32 tensor of `shape` whose rows (runs along the last axis) come from x's rows:
 * along each other axis d, output index i reads x's index maps[d][i]; each row is read
 * from x's column firstColumn on. Null when x is not a plain float32 tensor of rank 1 to 6
 * (the caller falls back).
 */
export function gatherRows(backend: Backend, x: TensorInfo, shape: number[], maps: number[][], firstColumn = 0): TensorInfo | null {
  const values = floatsOf(backend, x);
  const rank = x.shape.length;
  if (!values || rank < 1 || rank > 6) return null;
  const y = allocate(sizeOf(shape));
  native().gatherRows(values, y, Int32Array.from(x.shape), Int32Array.from(shape), Int32Array.from(maps.flat()), firstColumn);
  return output(backend, shape, y);
}
