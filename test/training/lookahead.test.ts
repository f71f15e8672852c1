// Lookahead: the averaged weights of a short real training run against the average computed
// by hand from the weights each step produced, its state through JSON and damage, and a
// run resumed mid-epoch that ends bit-identical to an uninterrupted one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../../src';
import { scaleOnlyNormalization } from '../../src/data/preprocess';
import { ConvkitError } from '../../src/errors';
import { initializeWeights } from '../../src/models/initialize';
import { Callback, Logs, TrainingContext, compileModel, fit, loadTrainingCheckpoint } from '../../src/training';
import { Lookahead, airbenchLookaheadDecay } from '../../src/training/lookahead';
import { SYNTHETIC_CLASSES, syntheticImages, temporaryFolder } from './helpers';

const train = syntheticImages(24, 3, 8);
const normalization = scaleOnlyNormalization(3);

/**
 * Conv, BatchNorm (whose moving statistics are non-trainable weights), softmax; named, so
 * rebuilt models match. Without the BatchNorm where a checkpoint is loaded: the loader's
 * check (models/architecture.ts) expects the weights in layer order, and tfjs lists
 * non-trainable ones last.
 */
function tinyModel({ batchNorm = true } = {}): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ name: 'conv', inputShape: [8, 8, 3], filters: 4, kernelSize: 3 }));
  if (batchNorm) model.add(tfl.layers.batchNormalization({ name: 'norm' }));
  model.add(tfl.layers.activation({ name: 'relu', activation: 'relu' }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'scores', units: SYNTHETIC_CLASSES.length, activation: 'softmax' }));
  initializeWeights(model, 5);
  compileModel(model, 0.01);
  return model;
}

function weightValues(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((weight) => Float32Array.from(weight.read().dataSync() as Float32Array));
}

/** Records the model's weights when training begins and after every batch, where it sits in the callback list. */
class WeightsProbe extends Callback {
  initial: Float32Array[] = [];
  afterStep = new Map<number, Float32Array[]>();
  override onTrainBegin(context: TrainingContext): void {
    this.initial = weightValues(context.model);
  }
  override onBatchEnd(_batch: number, _logs: Logs, context: TrainingContext): void {
    this.afterStep.set(context.step, weightValues(context.model));
  }
}

/** Aborts training after the given optimizer step (fit then saves a checkpoint). */
class AbortAfterStep extends Callback {
  constructor(private readonly step: number, private readonly controller: AbortController) {
    super();
  }
  override onBatchEnd(_batch: number, _logs: Logs, context: TrainingContext): void {
    if (context.step === this.step) this.controller.abort();
  }
}

const fitOptions = { epochs: 2, batchSize: 8, seed: 7, normalization };

describe('Lookahead', () => {
  it('averages every `every` steps and copies the average back, then hands the model the average after the last step', async () => {
    const model = tinyModel();
    const decays: Array<[number, number]> = [];
    const decayAt = (step: number, total: number) => {
      decays.push([step, total]);
      return 0.3 + step / 20;
    };
    const trained = new WeightsProbe();
    const lookahead = new Lookahead({ every: 4, decayAt });
    const seen = new WeightsProbe();
    // 24 images in batches of 8: 3 steps an epoch, 6 in all; updates after step 4, the final copy after step 6.
    await fit(model, { train }, { ...fitOptions, callbacks: [trained, lookahead, seen] });
    assert.deepEqual(decays, [[4, 6]]);
    assert.equal(lookahead.averages().length, model.weights.length, 'every weight, moving mean and variance included');

    let average = trained.initial.map((values) => values.slice());
    for (let step = 1; step <= 6; step++) {
      const weights = trained.afterStep.get(step)!;
      let expected = weights;
      if (step === 4) {
        const rate = 1 - (0.3 + 4 / 20);
        average = average.map((mean, w) => mean.map((m, j) => m + rate * (weights[w][j] - m)));
        expected = average;
      }
      if (step === 6) expected = average;
      seen.afterStep.get(step)!.forEach((values, w) => values.forEach((value, j) => {
        assert.ok(Math.abs(value - expected[w][j]) <= 1e-6 * Math.max(1, Math.abs(expected[w][j])),
          `step ${step}, weight ${model.weights[w].originalName}[${j}]: ${value} vs ${expected[w][j]}`);
      }));
    }
    // Training moved the weights between the updates, so the copies did something.
    assert.notDeepEqual(trained.afterStep.get(6), seen.afterStep.get(6));
    assert.deepEqual(weightValues(model), seen.afterStep.get(6));
    model.dispose();
  });

  it('keeps airbench\'s decay and leaves no tensors behind', () => {
    assert.equal(airbenchLookaheadDecay(0, 100), 0);
    assert.ok(Math.abs(airbenchLookaheadDecay(50, 100) - 0.95 ** 5 / 8) < 1e-15);
    assert.ok(Math.abs(airbenchLookaheadDecay(100, 100) - 0.95 ** 5) < 1e-15);
    const model = tinyModel();
    const context = { model, epochs: 10, stepsPerEpoch: 10, step: 0, learningRate: 0.1, stopTraining: false, metadata: {} };
    const lookahead = new Lookahead();
    lookahead.onTrainBegin(context);
    const before = tf.memory().numTensors;
    for (context.step = 1; context.step <= 100; context.step++) lookahead.onBatchEnd(0, {}, context);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it('saves its average as JSON-able state, restores it exactly, and refuses damaged or foreign state', () => {
    const model = tinyModel();
    const context = { model, epochs: 1, stepsPerEpoch: 10, step: 0, learningRate: 0.1, stopTraining: false, metadata: {} };
    const lookahead = new Lookahead();
    assert.equal(lookahead.getState(), null, 'nothing to save before training');
    lookahead.onTrainBegin(context);
    // Odd values, so a round trip through decimal text would show.
    model.weights[0].write(tf.tidy(() => tf.add(model.weights[0].read(), Math.PI / 7)));
    context.step = 5;
    lookahead.onBatchEnd(0, {}, context);
    const saved = JSON.parse(JSON.stringify(lookahead.getState()));
    const restored = new Lookahead();
    restored.setState(saved);
    restored.onTrainBegin(context);
    assert.deepEqual(restored.averages(), lookahead.averages());

    const damaged = (change: (state: { weights: Array<Record<string, unknown>> }) => void) => {
      const state = JSON.parse(JSON.stringify(saved));
      change(state);
      return () => new Lookahead().setState(state);
    };
    assert.throws(damaged((state) => { state.weights[0].values = 'not base64!'; }), /weight conv\/kernel is not base64 text/);
    assert.throws(damaged((state) => { state.weights[1].values = (state.weights[1].values as string).slice(8); }), /not 4 float32 values/);
    assert.throws(damaged((state) => { delete state.weights[2].shape; }), /weight 2 lacks a name or a shape/);
    assert.throws(() => new Lookahead().setState(null), ConvkitError);
    assert.throws(() => new Lookahead().setState({ version: 99, weights: [] }), /not one this convkit reads/);

    const other = tfl.sequential({ layers: [tfl.layers.dense({ name: 'scores', inputShape: [3], units: 2 })] });
    const foreign = new Lookahead();
    foreign.setState(saved);
    assert.throws(() => foreign.onTrainBegin({ ...context, model: other }), /for other weights \(conv\/kernel \[3,3,3,4\]/);
    other.dispose();
    model.dispose();
  });

  it('a run stopped mid-epoch and resumed ends bit-identical to an uninterrupted one', async () => {
    const reference = tinyModel({ batchNorm: false });
    await fit(reference, { train }, { ...fitOptions, callbacks: [new Lookahead({ every: 2 })] });
    const expected = weightValues(reference);
    reference.dispose();

    const folder = temporaryFolder('lookahead');
    const controller = new AbortController();
    const stopped = tinyModel({ batchNorm: false });
    const first = await fit(stopped, { train }, {
      ...fitOptions, callbacks: [new Lookahead({ every: 2 }), new AbortAfterStep(4, controller)], checkpointDir: folder, signal: controller.signal,
    });
    assert.deepEqual([first.stopReason, first.position], ['interrupted', { epoch: 1, batch: 1 }]);
    stopped.dispose();

    const checkpoint = await loadTrainingCheckpoint(folder);
    assert.equal(typeof (checkpoint.state.callbacks.lookahead as { weights: Array<{ values: unknown }> }).weights[0].values, 'string');
    compileModel(checkpoint.model, 0.01);
    await fit(checkpoint.model, { train }, {
      ...fitOptions, callbacks: [new Lookahead({ every: 2 })],
      resume: { state: checkpoint.state, optimizerData: checkpoint.optimizerData, source: checkpoint.file },
    });
    assert.deepEqual(weightValues(checkpoint.model), expected);
    checkpoint.model.dispose();
  });
});
