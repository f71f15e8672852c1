import { Command } from 'commander';

import { backend, tf } from '..';

/** `convkit info`: which backend, GEMM kernel and thread count this machine uses. */
export function registerInfoCommand(program: Command): void {
  program.command('info')
    .description('show the compute backend convkit uses on this machine')
    .action(() => {
      const native = backend.nativeInfo();
      console.log(`backend: ${tf.getBackend()}`);
      if (native) console.log(`gemm:    ${native.gemm}\nthreads: ${native.threads} (CONVKIT_THREADS overrides)`);
      else console.log(`native addon: not loaded (${backend.addonLoadError})`);
    });
}
