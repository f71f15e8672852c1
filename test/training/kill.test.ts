// A process killed with SIGKILL while it saves leaves a checkpoint that loads: the last
// save it reported, or the one it was writing, complete and consistent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import '../../src';
import { Random } from '../../src/data/random';
import { basicModel, loadCheckpoint, saveModel } from '../../src/models';
import { temporaryFolder } from './helpers';

const CHILD = path.join(__dirname, 'save_loop_child.ts');

/** Starts the saving child, kills it `delayMs` after its `afterSaves`-th save; returns the last save it reported. */
async function killWhileSaving(folder: string, afterSaves: number, delayMs: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, folder], { stdio: ['ignore', 'pipe', 'inherit'] });
  let reported = 0;
  let output = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const saves = [...output.matchAll(/saved (\d+)\n/g)];
      if (saves.length > 0) reported = Number(saves[saves.length - 1][1]);
      if (reported >= afterSaves) resolve();
    });
    child.on('exit', () => resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const last = reported;
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the child was still saving when killed');
  // Saves it finished after `last` was read may have been reported too late to count.
  return Math.max(last, reported);
}

test('SIGKILL at any moment of saving leaves a complete, consistent checkpoint', async () => {
  const random = Random.fromSeeds(42);
  for (let round = 0; round < 4; round++) {
    const folder = temporaryFolder(`kill-${round}`);
    const reported = await killWhileSaving(folder, 2 + round, random.int(60));
    const warnings: string[] = [];
    const loaded = await loadCheckpoint(folder, { log: (line) => warnings.push(line) });
    const version = loaded.metadata.version as number;
    assert.ok(version === reported || version === reported + 1, `loaded save ${version}, the child reported ${reported}`);
    assert.deepEqual(warnings, [], 'model.json itself is complete');
    assert.equal(JSON.parse(new TextDecoder().decode(loaded.extras.get('resume'))).version, version);
    const kernel = await loaded.model.weights[0].read().data();
    assert.ok(kernel.every((v) => v === version), 'the weights are those of the same save');
    loaded.model.dispose();

    // The next save clears what the killed one left half-written.
    const model = basicModel({ seed: 2 });
    await saveModel(model, folder);
    model.dispose();
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.includes('.tmp-')), []);
    assert.equal(fs.readdirSync(folder).filter((name) => name.startsWith('weights-')).length, 2);
  }
});
