// Runs test files again in a child node with extra environment (an instruction set or a
// convolution algorithm forced), and asserts that they all pass there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function assertSuitePasses(files: string[], env: Record<string, string>): void {
  // Without NODE_TEST_CONTEXT the child runner prints its own TAP report instead of
  // streaming results to this runner.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files],
    { env: { ...inherited, ...env }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout.split('\n').filter((l) => /not ok|error/.test(l)).join('\n'));
  assert.match(run.stdout, /# fail 0/);
  assert.doesNotMatch(run.stdout, /# pass 0\b/);
}
