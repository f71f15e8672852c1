// Callbacks and learning-rate schedules on their own, without training.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';

import '../../src';
import { basicModel } from '../../src/models';
import {
  EarlyStopping, ModelCheckpoint, TrainingContext, cosineDecay, oneCycle, parseScheduleSpec, stepDecay,
} from '../../src/training';
import { temporaryFolder } from './helpers';

function context(): TrainingContext {
  return { model: basicModel(), epochs: 10, stepsPerEpoch: 4, step: 0, learningRate: 0.001, stopTraining: false, metadata: {} };
}

test('early stopping stops after `patience` epochs without a better val_loss, and its state carries over', () => {
  const stopping = new EarlyStopping({ patience: 2 });
  const ctx = context();
  const losses = [1, 0.9, 0.95, 0.96];
  losses.slice(0, 3).forEach((loss, epoch) => stopping.onEpochEnd(epoch, { val_loss: loss }, ctx));
  assert.equal(ctx.stopTraining, false);
  const resumed = new EarlyStopping({ patience: 2 });
  resumed.setState(JSON.parse(JSON.stringify(stopping.getState())));
  resumed.onEpochEnd(3, { val_loss: losses[3] }, ctx);
  assert.equal(ctx.stopTraining, true);
  assert.equal(resumed.stoppedEpoch, 3);
  assert.throws(() => new EarlyStopping({ monitor: 'val_auc' }).onEpochEnd(0, { loss: 1 }, ctx), /monitors 'val_auc'.*reports loss/);
  assert.throws(() => resumed.setState({ wait: 'x' }), /lacks a number 'best'/);
  ctx.model.dispose();
});

test('the best-model checkpoint saves only when the monitored metric improves', async () => {
  const folder = temporaryFolder('best');
  const checkpoint = new ModelCheckpoint(folder, { monitor: 'val_accuracy' });
  const ctx = context();
  const saves = () => JSON.parse(fs.readFileSync(`${folder}/model.json`, 'utf8')).convkit;
  await checkpoint.onEpochEnd(0, { val_accuracy: 0.5 }, ctx);
  await checkpoint.onEpochEnd(1, { val_accuracy: 0.4 }, ctx);
  assert.equal(saves().checkpoint, 1);
  await checkpoint.onEpochEnd(2, { val_accuracy: 0.6 }, ctx);
  assert.deepEqual([saves().checkpoint, saves().epoch, checkpoint.best], [2, 3, 0.6]);
  ctx.model.dispose();
});

test('step, cosine and one-cycle schedules give the rates they promise', () => {
  const at = (epoch: number, batch = 0) => ({ epoch, batch, stepsPerEpoch: 10, epochs: 10 });
  const step = stepDecay(0.1, 3, 0.5);
  assert.deepEqual([0, 2, 3, 6, 9].map((e) => step(at(e))), [0.1, 0.1, 0.05, 0.025, 0.0125]);
  const cosine = cosineDecay(0.1, 0.001);
  assert.equal(cosine(at(0)), 0.1);
  assert.ok(Math.abs(cosine(at(5)) - 0.0505) < 1e-12);
  assert.ok(cosine(at(9, 9)) < 0.0011);
  const cycle = oneCycle(0.1, 0.3);
  assert.ok(Math.abs(cycle(at(0)) - 0.004) < 1e-12);
  assert.ok(Math.abs(cycle(at(3)) - 0.1) < 1e-12);
  assert.ok(cycle(at(9, 9)) < 1e-4 && cycle(at(6)) < cycle(at(4)));
  assert.deepEqual(parseScheduleSpec('step:5:0.1'), { kind: 'step', every: 5, factor: 0.1 });
  assert.throws(() => parseScheduleSpec('exponential'), /unknown schedule 'exponential'/);
  assert.throws(() => parseScheduleSpec('step:-1'), /positive numbers/);
});
