import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { backend, tf } from '../../src';
import { bufferPool } from '../../src/backend/buffer_pool';
import { assertSuitePasses } from './child_suite';
import { randomValues, relativeError } from './compare';

const addon = backend.addon!;

function referenceGemm(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const aip = a[i * k + p];
    for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
  }
  return c;
}

/** m, n, k over the GEMM's edge cases: 1, tile-1, tile, tile+1, primes, past a KC block. */
function gemmSweepError(): number {
  let worst = 0;
  for (const m of [1, 5, 6, 7, 13, 73]) for (const n of [1, 15, 16, 17, 33]) for (const k of [1, 7, 255, 257]) {
    const a = randomValues(m * k, m * 31 + k), b = randomValues(k * n, n * 17 + k), c = new Float32Array(m * n);
    addon.gemm(a, b, c, m, n, k);
    worst = Math.max(worst, relativeError(c, referenceGemm(a, b, m, n, k)));
  }
  return worst;
}

/** Runs a snippet in a fresh node with extra environment, returns stderr + stdout. */
function runNode(code: string, env: Record<string, string>): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', code],
    { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stderr + run.stdout;
}

describe('native runtime', () => {
  it('is the active tfjs backend once convkit is imported', () => {
    assert.equal(tf.getBackend(), 'native');
    assert.ok(addon, 'the addon is loaded');
    assert.notEqual(tf.getKernel('Conv2D', 'native')?.kernelFunc, tf.getKernel('Conv2D', 'cpu')?.kernelFunc);
  });

  it('GEMM matches a float64 reference over edge sizes', () => {
    assert.ok(gemmSweepError() < 1e-5);
  });

  it('portable GEMM path and CONVKIT_THREADS work on any CPU', () => {
    const out = runNode(`
      const { backend } = require('./src');
      const a = new Float32Array(7 * 19).fill(0.5), b = new Float32Array(19 * 17).fill(2), c = new Float32Array(7 * 17);
      backend.addon.gemm(a, b, c, 7, 17, 19);
      console.log(JSON.stringify({ info: backend.addon.info(), ok: c.every((v) => v === 19) }));`,
    { CONVKIT_ISA: 'portable', CONVKIT_THREADS: '3' });
    const result = JSON.parse(out.trim().split('\n').pop()!);
    assert.deepEqual(result, { info: { gemm: 'portable-6x16', threads: 3 }, ok: true });
  });

  it('runs the widest instruction set the CPU has, and CONVKIT_ISA caps it', () => {
    const flags = new Set((readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/));
    const avx2 = flags.has('avx2') && flags.has('fma');
    const widest = avx2 && flags.has('avx512f') ? 'avx512-6x32' : avx2 ? 'avx2-fma-6x16' : 'portable-6x16';
    const gemmUnder = (isa?: string) => JSON.parse(runNode(`
      const { backend } = require('./src');
      console.log(JSON.stringify(backend.addon.info()));`, isa ? { CONVKIT_ISA: isa } : {}).trim().split('\n').pop()!).gemm;
    assert.equal(gemmUnder(), widest);
    assert.equal(gemmUnder('avx2'), avx2 ? 'avx2-fma-6x16' : 'portable-6x16');
  });

  it('kernels pass with the pool\'s threads always sleeping between calls (CONVKIT_SPIN_US=0), and with more threads than cores spinning', () => {
    // Spinning is the usual path in a training step, sleeping the one after a pause; a lost
    // wake-up in either would hang these suites, a race would fail them.
    assertSuitePasses(['test/backend/matmul.test.ts', 'test/backend/pool.test.ts'], { CONVKIT_SPIN_US: '0' });
    assertSuitePasses(['test/backend/matmul.test.ts'], { CONVKIT_THREADS: '3' });
  });

  it('bad arguments to the addon raise a TypeError instead of crashing', () => {
    const geometry = Int32Array.from([1, 8, 8, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 0, 0]);
    assert.throws(() => addon.conv2d(new Float32Array(10), new Float32Array(108), null, new Float32Array(144),
      geometry, 0), /argument 0 holds 10 floats, the kernel needs 192/);
    assert.throws(() => addon.matmul(new Float32Array(4), new Float32Array(4), null, new Float32Array(4),
      new Int32Array(3), 0), /Int32Array of 7/);
  });

  it('the output pool hands back every array released, however many share a size', () => {
    // A fast-model step at batch 1024 releases up to 14 activations of one size.
    const length = 1 << 18;
    const released = Array.from({ length: 20 }, () => bufferPool.take(length));
    released.forEach((array) => bufferPool.give(array));
    const reused = Array.from({ length: 20 }, () => bufferPool.take(length));
    assert.ok(reused.every((array) => released.includes(array)), 'a fresh array where a released one was free');
    reused.forEach((array) => bufferPool.give(array));
  });

  it('without the addon, convkit warns once and runs on tfjs cpu kernels', () => {
    const out = runNode(`
      const { tf } = require('./src');
      require('./src').backend.registerNativeBackend();  // a second call must not warn again
      const y = tf.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([3, 3, 1, 1]), 1, 'valid');
      // convkit's own kernels (seeded dropout, fused Adam) have JS versions for this case.
      const model = require('./src').models.buildModel('basic', { seed: 1 });
      model.compile({ optimizer: require('./src').optimizers.adam(), loss: 'categoricalCrossentropy' });
      const fit = model.trainOnBatch(tf.ones([2, 32, 32, 3]), tf.oneHot([1, 2], 10).toFloat());
      fit.then((loss) => console.log('backend=' + tf.getBackend() + ' sum=' + y.sum().dataSync()[0] + ' loss=' + loss));`,
    { CONVKIT_ADDON: '/nonexistent/convkit_native.node' });
    assert.equal(out.match(/native CPU kernels unavailable/g)?.length, 1, out);
    assert.match(out, /npm rebuild convkit/);
    assert.match(out, /backend=cpu sum=36 loss=[\d.]+/);
  });
});
