// The `native` tfjs backend: tfjs's CPU backend with its hot kernels replaced by the C++
// addon. Every CPU kernel is registered again under 'native'; the ones in
// register_kernels.ts take their place.
import * as tf from '@tensorflow/tfjs-core';
import { BackendValues, DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { addon, addonLoadError } from './addon';
import { bufferPool } from './buffer_pool';
import { releaseLazyOutput, storedValues } from './lazy_output';
import { releaseMaxPool } from './pooled';
import { registerCustomKernels } from './custom_kernels';
import { nativeKernelConfigs } from './register_kernels';

export const NATIVE_BACKEND = 'native';

export class NativeBackend extends MathBackendCPU {
  /** Set while a native kernel registers its own output, which stays recyclable. */
  private registeringOwnOutput = false;

  constructor() {
    super();
    silenceNodeAdvert(this);
  }

  /** Registers a kernel output that came from bufferPool.take(). */
  registerOutput(shape: number[], values: Float32Array): TensorInfo {
    this.registeringOwnOutput = true;
    try {
      return this.makeTensorInfo(shape, 'float32', values);
    } finally {
      this.registeringOwnOutput = false;
    }
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    // Any other tensor built on a pooled array (a Slice view, a Cast sharing data) pins it.
    if (!this.registeringOwnOutput) bufferPool.escape(values);
    return super.write(values, shape, dtype);
  }

  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    bufferPool.escape(values);
    return values;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    // The values as stored: a lazy output's are not computed to be thrown away.
    const values = this.data.has(dataId) ? storedValues(this.data.get(dataId)) : undefined;
    const released = super.disposeData(dataId, force);
    if (released && values) bufferPool.give(values);
    if (released) {
      releaseMaxPool(dataId);
      releaseLazyOutput(dataId);
    }
    return released;
  }
}

/** The CPU backend's first write advertises tfjs-node, which convkit replaces. */
function silenceNodeAdvert(backend: MathBackendCPU): void {
  (backend as unknown as { firstUse: boolean }).firstUse = false;
}

let registered = false;

/**
 * Registers the native backend and makes it the active one. Returns false (after one
 * warning saying why and how to fix it) when the addon could not be loaded; tfjs's
 * CPU backend then stays in charge.
 */
export function registerNativeBackend(): boolean {
  // convkit's own kernels (dropout mask, fused Adam, relu gradient) exist for 'cpu' too.
  registerCustomKernels();
  if (!addon) {
    if (!registered) {
      console.warn(`convkit: native CPU kernels unavailable (${addonLoadError}); running on tfjs's slower 'cpu' ` +
        `backend. To fix it, install a C++ toolchain (g++, make, python3) and run \`npm rebuild convkit\`.`);
      registered = true;
      const cpu = tf.findBackend('cpu');
      if (cpu instanceof MathBackendCPU) silenceNodeAdvert(cpu);
    }
    return false;
  }
  if (!registered) {
    tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 3);
    const overrides = new Map(nativeKernelConfigs.map((k) => [k.kernelName, k]));
    for (const cpu of tf.getKernelsForBackend('cpu')) {
      tf.registerKernel({ ...cpu, ...overrides.get(cpu.kernelName), backendName: NATIVE_BACKEND });
      overrides.delete(cpu.kernelName);
    }
    for (const extra of overrides.values()) tf.registerKernel(extra);
    registered = true;
  }
  tf.setBackend(NATIVE_BACKEND);
  return true;
}

/** Names of the kernels the addon implements (the rest are tfjs's JS kernels). */
export function nativeKernelNames(): string[] {
  return nativeKernelConfigs.map((k) => k.kernelName);
}

/** Which GEMM micro-kernel and how many threads the addon uses. */
export function nativeInfo(): { gemm: string; threads: number } | null {
  return addon ? addon.info() : null;
}
