import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';

// The portable C++ micro-kernels (for CPUs without AVX2/FMA) must give the same answers:
// run the convolution and matrix tests again with CONVKIT_ISA=portable and 3 threads.
it('convolution and matmul tests pass on the portable path with 3 threads', () => {
  // Without NODE_TEST_CONTEXT the child runner prints its own TAP report instead of
  // streaming results to this runner.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(process.execPath,
    ['--import', 'tsx', '--test', 'test/backend/conv.test.ts', 'test/backend/matmul.test.ts', 'test/backend/gelu.test.ts'],
    { env: { ...env, CONVKIT_ISA: 'portable', CONVKIT_THREADS: '3' }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout.split('\n').filter((l) => /not ok|error/.test(l)).join('\n'));
  assert.match(run.stdout, /# fail 0/);
  assert.doesNotMatch(run.stdout, /# pass 0\b/);
});
