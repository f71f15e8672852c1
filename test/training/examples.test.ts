// The tutorial's two scripts in examples/ run end to end on a tiny CIFAR-10 folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

import '../../src';
import { loadModel } from '../../src/models';
import { syntheticImages, temporaryFolder, writeCifarFolder } from './helpers';

const root = temporaryFolder('examples');
const data = path.join(root, 'cifar');
writeCifarFolder(data, syntheticImages(120, 4));

function runExample(name: string, runDir: string): Promise<{ code: number | null; stdout: string }> {
  const env = { ...process.env, EPOCHS: '1', RUN_DIR: runDir, CONVKIT_DATA: data, CONVKIT_CACHE: path.join(root, 'cache') };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', 'examples', name)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

for (const [script, flattened] of [['basic_model.ts', 1600], ['improved_model.ts', 2048]] as const) {
  test(`examples/${script} trains one epoch and saves a model that loads`, async () => {
    const runDir = path.join(root, script);
    const { code, stdout } = await runExample(script, runDir);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`\\(Flatten\\) +\\(None, ${flattened}\\)`));
    assert.match(stdout, /^Epoch 1\/1 .* val_accuracy: /m);
    const { model, metadata } = await loadModel(runDir);
    assert.deepEqual(metadata.classNames?.length, 10);
    assert.equal(metadata.epoch, 1);
    model.dispose();
  });
}
