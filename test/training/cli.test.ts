// `convkit train` and `convkit summary` as a user runs them: one-line errors, Ctrl-C that
// saves and exits 0, and --resume.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { models } from '../../src';
import { runCli, startCli, syntheticImages, temporaryFolder, writeCifarFolder } from './helpers';

const ONE_LINE_ERROR = /^convkit: [^\n]+\n$/;

test('summary prints the Keras table; unknown models and flags are one-line errors', async () => {
  const summary = await runCli(['summary', 'basic']);
  assert.equal(summary.code, 0);
  assert.match(summary.stdout, /^flatten_1 \(Flatten\) +\(None, 1600\) +0$/m);
  assert.match(summary.stdout, /^Total params: 477,994$/m);

  const unknown = await runCli(['summary', 'resnet']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, ONE_LINE_ERROR);
  const out = path.join(temporaryFolder('cli-errors'), 'run');
  const badModel = await runCli(['train', '--model', 'resnet', '--out', out]);
  assert.equal(badModel.code, 1);
  assert.match(badModel.stderr, ONE_LINE_ERROR);
  assert.match(badModel.stderr, /unknown model 'resnet'/);
  const badFlag = await runCli(['train', '--epoch', '3']);
  assert.notEqual(badFlag.code, 0);
  assert.match(badFlag.stderr, /unknown option '--epoch'/);
  const badNumber = await runCli(['train', '--epochs', 'many']);
  assert.notEqual(badNumber.code, 0);
  assert.match(badNumber.stderr, /--epochs.*expected a whole number/);
  assert.equal(fs.existsSync(out), false);
});

test('Ctrl-C finishes the batch, saves and exits 0; --resume continues the run', async () => {
  const root = temporaryFolder('cli-train');
  const data = path.join(root, 'cifar');
  writeCifarFolder(data, syntheticImages(240, 3));
  const run = path.join(root, 'run');
  const env = { CONVKIT_CACHE: path.join(root, 'cache') };
  const child = startCli(['train', '--data', data, '--epochs', '30', '--batch-size', '32', '--val', '40', '--seed', '5', '--out', run], env);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exitCode = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    if (/^Epoch 1\/30 /m.test(stdout)) resolve();
  }));
  child.kill('SIGINT');
  assert.equal(await exitCode, 0, stderr);
  assert.match(stdout, /interrupted: saved .* at epoch \d+, batch \d+; continue with: convkit train --resume/);
  assert.match(stderr, /stopping after this batch/);

  const refused = await runCli(['train', '--resume', run, '--lr', '0.1'], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /only --epochs may change \(remove --lr\)/);

  const resumed = await runCli(['train', '--resume', run, '--epochs', '2'], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /^Epoch 2\/2 .* val_loss: /m);
  assert.match(resumed.stdout, /finished after epoch 2/);
  assert.equal(fs.readFileSync(path.join(run, 'history.csv'), 'utf8').trim().split('\n').length, 3);
});

test('--keep-epochs keeps a loadable model per epoch; --dashboard serves the runs folder while training', async () => {
  const root = temporaryFolder('cli-extras');
  const data = path.join(root, 'cifar');
  writeCifarFolder(data, syntheticImages(120, 4));
  const run = path.join(root, 'runs', 'tiny');
  const result = await runCli(['train', '--data', data, '--epochs', '2', '--batch-size', '32', '--val', '20', '--seed', '2',
    '--out', run, '--keep-epochs', '--dashboard', '0'], { CONVKIT_CACHE: path.join(root, 'cache') });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
  for (const epoch of [1, 2]) {
    const kept = path.join(run, 'epochs', `epoch-00${epoch}`);
    const { metadata } = await models.loadModel(kept);
    assert.equal(metadata.epoch, epoch);
  }
  assert.ok(fs.existsSync(path.join(run, 'live.json')), 'the dashboard progress file is written');
});
