// Training runs on a few hundred synthetic images: learning, checkpoint files, exact
// resume (mid-epoch and at an epoch boundary), NaN handling, early checks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { tf } from '../../src';
import { scaleOnlyNormalization } from '../../src/data/preprocess';
import { ConvkitError } from '../../src/errors';
import { basicModel } from '../../src/models';
import {
  Callback, DEFAULT_CONFIG, Logs, TrainingConfig, TrainingContext, evaluate, loadTrainingCheckpoint, resume, train,
} from '../../src/training';
import { syntheticDataset, temporaryFolder } from './helpers';

const dataset = syntheticDataset(320, 64);
const loadData = async () => dataset;
const quiet = { loadData, progress: false };

/** A one-cycle rate (changes every batch) and early stopping (keeps a best value), so resume must restore both. */
function config(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    ...DEFAULT_CONFIG, model: 'basic', seed: 11, epochs: 2, batchSize: 64, learningRate: 0.002, patience: 5,
    schedule: { kind: 'one-cycle', warmup: 0.3, divFactor: 25, finalDivFactor: 1e4 }, ...overrides,
  };
}

/** Calls `action` once, after the given batch of the given epoch. */
class AfterBatch extends Callback {
  private epoch = 0;
  constructor(private readonly at: { epoch: number; batch: number }, private readonly action: (context: TrainingContext) => void) {
    super();
  }
  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }
  override onBatchEnd(batch: number, _logs: Logs, context: TrainingContext): void {
    if (this.epoch === this.at.epoch && batch === this.at.batch) this.action(context);
  }
}

/** Aborts training once the given epoch has ended (and been saved). */
class AbortAfterEpoch extends Callback {
  constructor(private readonly epoch: number, private readonly controller: AbortController) {
    super();
  }
  override onEpochEnd(epoch: number): void {
    if (epoch === this.epoch) this.controller.abort();
  }
}

/** What a resumed run starts from: the step count in the context and in the optimizer. */
class StartRecorder extends Callback {
  started: { step: number; iterations: number } | null = null;
  override onTrainBegin(context: TrainingContext): void {
    this.started = { step: context.step, iterations: context.model.optimizer.iterations };
  }
}

function savedWeightsHash(folder: string): string {
  return JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')).convkit.files.weights.sha256;
}

const METRICS = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'];
const metricsOf = (history: Logs[]) => history.map((row) => METRICS.map((k) => row[k]));

let uninterrupted: { folder: string; history: Logs[] } | null = null;

test('one epoch of the basic model lowers the loss and writes the run folder', async () => {
  const initial = basicModel({ seed: 11 });
  const before = await evaluate(initial, dataset.validation, scaleOnlyNormalization(3));
  initial.dispose();
  const folder = temporaryFolder('one-epoch');
  const result = await train(config({ epochs: 1 }), folder, quiet);
  assert.equal(result.stopReason, 'epochs');
  assert.equal(result.step, 5);
  const after = result.history[0];
  assert.ok(after.val_loss < before.loss - 0.1, `validation loss ${before.loss} -> ${after.val_loss}`);
  assert.ok(after.val_accuracy > before.accuracy, `validation accuracy ${before.accuracy} -> ${after.val_accuracy}`);
  const files = fs.readdirSync(folder).sort();
  assert.deepEqual(files, ['best', 'history.csv', 'model.json', 'optimizer-000001.bin', 'resume-000001.json', 'weights-000001.bin']);
  assert.ok(fs.existsSync(path.join(folder, 'best', 'model.json')));
  const history = fs.readFileSync(path.join(folder, 'history.csv'), 'utf8').trim().split('\n');
  assert.equal(history.length, 2);
  assert.match(history[0], /^epoch,loss,accuracy,val_loss,val_accuracy,lr/);
  const saved = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')).convkit;
  assert.deepEqual(saved.classNames, dataset.classNames);
  assert.deepEqual(saved.normalization, scaleOnlyNormalization(3));
  assert.equal(saved.epoch, 1);
  assert.equal(saved.trainingConfig.seed, 11);
});

test('two uninterrupted epochs (the reference for the resume tests)', async () => {
  const folder = temporaryFolder('reference');
  const result = await train(config(), folder, quiet);
  assert.equal(result.history.length, 2);
  assert.ok(result.history[1].lr < result.history[0].lr, 'the one-cycle rate falls in the second half');
  uninterrupted = { folder, history: result.history };
});

test('a run stopped mid-epoch resumes at the next batch and ends identical to an uninterrupted one', async () => {
  assert.ok(uninterrupted, 'needs the reference run');
  const folder = temporaryFolder('mid-epoch');
  const controller = new AbortController();
  const stop = new AfterBatch({ epoch: 0, batch: 2 }, () => controller.abort());
  const stopped = await train(config(), folder, { ...quiet, signal: controller.signal, callbacks: [stop] });
  assert.equal(stopped.stopReason, 'interrupted');
  const checkpoint = await loadTrainingCheckpoint(folder);
  assert.deepEqual(checkpoint.state.position, { epoch: 0, batch: 3 });
  assert.equal(checkpoint.state.step, 3);
  checkpoint.model.dispose();

  const recorder = new StartRecorder();
  const resumed = await resume(folder, { ...quiet, callbacks: [recorder] });
  assert.deepEqual(recorder.started, { step: 3, iterations: 3 });
  assert.equal(resumed.step, 10);
  assert.deepEqual(metricsOf(resumed.history), metricsOf(uninterrupted.history));
  assert.equal(savedWeightsHash(folder), savedWeightsHash(uninterrupted.folder));
});

/** Makes a saved run look like one from before the optimizer/TTA settings existed (they resume with the defaults). */
function forgetLaterSettings(modelFile: string): void {
  const saved = JSON.parse(fs.readFileSync(modelFile, 'utf8'));
  for (const key of ['optimizer', 'labelSmoothing', 'lookahead', 'inputScaling', 'tta']) delete saved.convkit.trainingConfig[key];
  fs.writeFileSync(modelFile, JSON.stringify(saved));
}

test('a run resumed after epoch 1 continues at epoch 2 with the same optimizer step count', async () => {
  assert.ok(uninterrupted, 'needs the reference run');
  const folder = temporaryFolder('epoch-boundary');
  const controller = new AbortController();
  const stopped = await train(config(), folder, { ...quiet, signal: controller.signal, callbacks: [new AbortAfterEpoch(0, controller)] });
  assert.deepEqual([stopped.stopReason, stopped.position], ['interrupted', { epoch: 1, batch: 0 }]);
  forgetLaterSettings(path.join(folder, 'model.json'));
  const recorder = new StartRecorder();
  const lines: string[] = [];
  const resumed = await resume(folder, { loadData, callbacks: [recorder], log: (line) => lines.push(line) });
  assert.deepEqual(recorder.started, { step: 5, iterations: 5 });
  assert.match(lines.join('\n'), /^Epoch 2\/2 /m);
  assert.deepEqual(metricsOf(resumed.history), metricsOf(uninterrupted.history));
  assert.equal(savedWeightsHash(folder), savedWeightsHash(uninterrupted.folder));
  await assert.rejects(resume(folder, quiet), /finished its 2 epochs; pass --epochs N with N > 2/);
});

test('a NaN loss stops training, names the batch and keeps the last good checkpoint', async () => {
  const folder = temporaryFolder('nan');
  const poison = new AfterBatch({ epoch: 1, batch: 0 }, (context) => {
    const kernel = context.model.weights[0];
    kernel.write(tf.mul(kernel.read(), NaN));
  });
  await assert.rejects(train(config(), folder, { ...quiet, callbacks: [poison] }),
    (e: Error) => e instanceof ConvkitError && /NaN at epoch 2, batch 2 of 5/.test(e.message) && /after epoch 1/.test(e.message));
  const checkpoint = await loadTrainingCheckpoint(folder);
  assert.deepEqual(checkpoint.state.position, { epoch: 1, batch: 0 });
  const kernel = await checkpoint.model.weights[0].read().data();
  assert.ok(kernel.every(Number.isFinite));
  checkpoint.model.dispose();
});

test('bad settings fail before any data is loaded or any folder is made', async () => {
  let loads = 0;
  const counting = { progress: false, loadData: async () => { loads += 1; return dataset; } };
  const file = path.join(temporaryFolder('blocked'), 'a-file');
  fs.writeFileSync(file, '');
  await assert.rejects(train(config(), path.join(file, 'run'), counting), /cannot write to .*a-file/);
  const unused = path.join(temporaryFolder('unused'), 'run');
  await assert.rejects(train(config({ model: 'resnet' }), unused, counting), /unknown model 'resnet'/);
  await assert.rejects(train(config({ augment: 'sideways' }), unused, counting), /unknown augmentation/);
  assert.equal(loads, 0);
  assert.equal(fs.existsSync(unused), false);
  await assert.rejects(resume(temporaryFolder('empty'), counting), /holds no checkpoint/);
});
