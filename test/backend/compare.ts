// Runs the same computation on tfjs's `cpu` backend and on convkit's `native` backend,
// from the same random inputs, and reports how far apart the results are.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';

import { backend, tf } from '../../src';

/** Deterministic uniform numbers in [-1, 1) (mulberry32). */
export function randomValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  }
  return out;
}

type Computation = (...inputs: tf.Tensor[]) => tf.Tensor;

function evaluate(backend: string, fn: Computation, shapes: number[][], seed: number, withGrads: boolean) {
  tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const inputs = shapes.map((shape, i) => tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed + i), shape));
      const y = fn(...inputs);
      const results = [y.dataSync().slice()];
      if (withGrads) {
        const dy = tf.tensor(randomValues(y.size, seed + 99), y.shape);
        for (const g of tf.grads(fn)(inputs, dy)) results.push(g.dataSync().slice());
      }
      return results;
    });
  } finally {
    tf.setBackend('native');
  }
}

/** max |native - cpu| / max |cpu|: the error relative to the result's own scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'result sizes differ');
  let diff = 0, scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff === 0 ? 0 : diff / Math.max(scale, 1e-30);
}

/**
 * Asserts that `fn` gives the same result on both backends, and the same gradients for
 * every input when `grads` is set, within `tolerance` relative error.
 */
export function assertSameOnBothBackends(
  label: string, fn: Computation, shapes: number[][], options: { grads?: boolean; tolerance?: number; seed?: number; allowFallback?: string[] } = {},
): void {
  const { grads = true, tolerance = 1e-4, seed = 7 } = options;
  const expected = evaluate('cpu', fn, shapes, seed, grads);
  const before = new Map(backend.fallbackCounts());
  const actual = evaluate('native', fn, shapes, seed, grads);
  for (const [kernel, count] of backend.fallbackCounts()) {
    if (options.allowFallback?.includes(kernel)) continue;
    assert.equal(count, before.get(kernel) ?? 0, `${label}: native ${kernel} fell back to tfjs's JS kernel`);
  }
  actual.forEach((values, i) => {
    const what = i === 0 ? 'forward' : `gradient of input ${i - 1}`;
    const error = relativeError(values, expected[i]);
    // CONVKIT_ERROR_LOG=file collects every error seen, to report the largest per suite run.
    if (process.env.CONVKIT_ERROR_LOG) appendFileSync(process.env.CONVKIT_ERROR_LOG, `${error}\t${label}: ${what}\n`);
    assert.ok(error <= tolerance, `${label}: ${what} differs from tfjs cpu by ${error.toExponential(2)}`);
  });
}

/** The kernels tfjs's profiler saw, in the order they ran. */
export type ProfiledKernels = Awaited<ReturnType<typeof tf.profile>>['kernels'];

/** How often each of `kernels` ran. */
export function countKernels(kernels: ProfiledKernels): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kernel of kernels) counts.set(kernel.name, (counts.get(kernel.name) ?? 0) + 1);
  return counts;
}

/** How often each kernel ran during `fn`, via tfjs's profiler. */
export async function kernelCounts(fn: () => tf.TensorContainer | Promise<tf.TensorContainer>): Promise<Map<string, number>> {
  return countKernels((await tf.profile(fn)).kernels);
}

/** Names of the kernels that ran during `fn` on the native backend, via tfjs's profiler. */
export async function kernelsUsed(fn: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(fn);
  return info.kernelNames;
}
