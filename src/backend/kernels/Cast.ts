import { Cast, CastAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { cpuKernel, KernelArgs, output } from '../kernel_utils';

// tfjs's CPU Cast from bool or int32 to float32 keeps the old integer array, which then
// sends every later float kernel down the slow path; this one converts to floats. Other
// casts (float32 to float32 shares the data) are tfjs's, and are not counted as fallbacks.
function cast(args: KernelArgs<{ x: TensorInfo }, CastAttrs>): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  const values = backend.data.get(x.dataId).values;
  if (attrs.dtype === 'float32' && (values instanceof Int32Array || values instanceof Uint8Array)) {
    return output(backend, x.shape.slice(), Float32Array.from(values));
  }
  return cpuKernel(Cast)(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

export const castConfig: KernelConfig = { kernelName: Cast, backendName: 'native', kernelFunc: cast as unknown as KernelFunc };
