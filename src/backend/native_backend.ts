// The `native` tfjs backend: tfjs's CPU backend with its hot kernels replaced by the C++
// addon. Every CPU kernel is registered again under 'native'; the ones in
// register_kernels.ts take their place.
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { addon, addonLoadError } from './addon';
import { nativeKernelConfigs } from './register_kernels';

export const NATIVE_BACKEND = 'native';

export class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    silenceNodeAdvert(this);
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

/** Which GEMM micro-kernel and how many threads the addon uses. */
export function nativeInfo(): { gemm: string; threads: number } | null {
  return addon ? addon.info() : null;
}
