// The fast recipe (--model fast): its network, convkit's BatchNormalization layer, the
// time-to-accuracy callback, and a whole small run with the recipe's optimizer, schedule,
// lookahead, whitening and test-time augmentation, resumed exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { tf } from '../../src';
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNormalization, WHITENING_LAYER, batchNormalization, buildModel, fastModel } from '../../src/models';
import { Callback, DEFAULT_CONFIG, Logs, TrainingConfig, TrainingContext, resume, train } from '../../src/training';
import { TimeToAccuracy } from '../../src/training/milestones';
import { SGD } from '../../src/optimizers/sgd';
import { TrainingCompute } from '../../src/training/compute';
import { FreezeAfterEpochs, compileWith, optimizerFor, recipeFor, usesFastRecipe } from '../../src/training/recipe';
import { syntheticDataset, temporaryFolder } from './helpers';
import { kernelCounts } from '../backend/compare';

class AbortAfterEpoch extends Callback {
  constructor(private readonly epoch: number, private readonly controller: AbortController) {
    super();
  }
  override onEpochEnd(epoch: number): void {
    if (epoch === this.epoch) this.controller.abort();
  }
}

function weightValues(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

test('the fast network: shapes, a frozen whitening kernel, seeded dirac-started blocks', () => {
  const model = fastModel({ seed: 4, widths: [8, 16, 16] });
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  assert.deepEqual(model.getLayer('block3_conv2').outputShape, [null, 3, 3, 16]);
  const trainable = model.trainableWeights.map((w) => w.originalName);
  assert.ok(!trainable.includes(`${WHITENING_LAYER}/kernel`) && trainable.includes(`${WHITENING_LAYER}/bias`), trainable.join());
  // BatchNorm without scale: only beta trains.
  assert.ok(trainable.includes('block1_norm1/beta') && !trainable.some((name) => name.endsWith('/gamma')));
  const kernel = model.getLayer('block2_conv2').getWeights()[0].arraySync() as number[][][][];
  for (let o = 0; o < 16; o++) {
    for (let c = 0; c < 16; c++) assert.equal(kernel[1][1][c][o], c === o ? 1 : 0);
    assert.equal(kernel[0][0][0][o], 0);
  }
  const again = fastModel({ seed: 4, widths: [8, 16, 16] });
  assert.deepEqual(weightValues(again), weightValues(model));
  const other = fastModel({ seed: 5, widths: [8, 16, 16] });
  assert.notDeepEqual(weightValues(other), weightValues(model));
  tf.dispose([model, again, other].map((m) => { m.dispose(); return []; }).flat());
});

test("BatchNormalization trains like tfjs's own layer, also without a scale, and replaces it on load", async () => {
  const input = tf.randomNormal([3, 5, 7, 6], 1, 2, 'float32', 9);
  const ours = batchNormalization({ momentum: 0.8, epsilon: 1e-3 });
  const theirs = tfl.layers.batchNormalization({ momentum: 0.8, epsilon: 1e-3 });
  ours.build(input.shape);
  theirs.build(input.shape);
  const gammaBeta = [tf.randomUniform([6], 0.5, 1.5, 'float32', 1), tf.randomUniform([6], -1, 1, 'float32', 2), tf.zeros([6]), tf.ones([6])];
  ours.setWeights(gammaBeta);
  theirs.setWeights(gammaBeta);
  const a = ours.apply(input, { training: true }) as tf.Tensor;
  const b = theirs.apply(input, { training: true }) as tf.Tensor;
  const close = (x: tf.Tensor, y: tf.Tensor) => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0];
  assert.ok(close(a, b) < 1e-4, `outputs differ by ${close(a, b)}`);
  ours.getWeights().forEach((w, i) => assert.ok(close(w, theirs.getWeights()[i]) < 1e-5, `weight ${i} (moving statistics) differs`));
  const inferred = [ours, theirs].map((layer) => layer.apply(input, { training: false }) as tf.Tensor);
  assert.ok(close(inferred[0], inferred[1]) < 1e-5, 'inference with the moving statistics differs');
  const unscaled = batchNormalization({ scale: false });
  const y = unscaled.apply(input, { training: true }) as tf.Tensor;
  const moments = tf.moments(y, [0, 1, 2]);
  assert.ok(tf.max(tf.abs(moments.mean)).dataSync()[0] < 1e-4);
  assert.ok(tf.max(tf.abs(tf.sub(moments.variance, 1))).dataSync()[0] < 1e-2);
  const model = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [4, 4, 3] })] });
  const reloaded = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
  assert.ok(reloaded.layers[0] instanceof BatchNormalization, 'the registry builds convkit\'s class');
  // Saliency maps take gradients through inference mode, where tfjs's own layer fails without gamma.
  const gradient = tf.grad((x: tf.Tensor) => tf.sum(unscaled.apply(x, { training: false }) as tf.Tensor))(input);
  assert.deepEqual(gradient.shape, input.shape);
  tf.dispose([input, a, b, y, moments.mean, moments.variance, gradient, ...inferred, ...gammaBeta]);
});

test('TimeToAccuracy records the first epoch at each threshold, in wall seconds across a resume', () => {
  let now = 10;
  const lines: string[] = [];
  const milestones = new TimeToAccuracy({ thresholds: [0.5, 0.8], log: (line) => lines.push(line), clock: () => now });
  const context = {} as TrainingContext;
  const epoch = (index: number, logs: Logs) => { milestones.onEpochEnd(index, logs, context); return logs; };
  assert.equal(epoch(0, { val_accuracy: 0.4 }).wall_seconds, 10);
  now = 20;
  epoch(1, { val_accuracy: 0.6 });
  now = 30;
  epoch(2, { val_accuracy: 0.7, val_accuracy_tta: 0.81, tta_seconds: 4 });
  assert.deepEqual(milestones.milestones.map((m) => [m.threshold, m.epoch, m.seconds, m.metric]),
    [[0.5, 2, 20, 'val_accuracy'], [0.8, 3, 30, 'val_accuracy_tta']]);
  assert.equal(lines.length, 2);
  // The plain accuracy's time leaves out the final TTA pass that ran before the stamp.
  const plain = new TimeToAccuracy({ thresholds: [0.6], log: () => {}, clock: () => now });
  plain.onEpochEnd(2, { val_accuracy: 0.7, val_accuracy_tta: 0.71, tta_seconds: 4 }, context);
  assert.equal(plain.milestones[0].seconds, 26);
  // A new process resumes: its clock restarts at 0 and its time adds to the saved 30 s.
  now = 2;
  const resumed = new TimeToAccuracy({ thresholds: [0.5, 0.8, 0.9], log: () => {}, clock: () => now });
  resumed.setState(JSON.parse(JSON.stringify(milestones.getState())));
  resumed.onEpochEnd(3, { val_accuracy: 0.95 }, context);
  assert.deepEqual(resumed.milestones.map((m) => m.seconds), [20, 30, 32]);
  assert.match(resumed.summary(), /90%: 32\.0 s \(epoch 4\)/);
  assert.throws(() => resumed.setState({ seconds: 'x' }), /TimeToAccuracy is damaged/);
});

test("the recipe's SGD: BatchNorm offsets at 64x the rate, other weights at 1x", () => {
  const optimizer = optimizerFor(recipeFor('fast')) as SGD;
  // tfjs appends _N to the names of a process's later models; the groups must still match.
  for (const suffix of ['', '_3']) {
    assert.equal(optimizer.learningRateScale(`block2_norm1/beta${suffix}`), 64);
    assert.equal(optimizer.learningRateScale(`whiten/bias${suffix}`), 1);
    assert.equal(optimizer.learningRateScale(`block2_conv1/kernel${suffix}`), 1);
  }
  optimizer.dispose();
});

/** How often each kernel ran in one training step of `model`, and whether each weight changed. */
async function stepOf(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<{ counts: Map<string, number>; changed: string[] }> {
  const before = weightValues(model);
  const counts = await kernelCounts(() => model.trainOnBatch(x, y));
  const after = weightValues(model);
  const changed = model.weights.filter((_, i) => after[i].some((v, j) => v !== before[i][j])).map((w) => w.originalName);
  return { counts, changed };
}

test('FreezeAfterEpochs: the whitening bias stops training after 3 epochs, and its gradient path is no longer computed', async () => {
  const model = fastModel({ seed: 2, widths: [8, 16, 16] });
  compileWith(model, recipeFor('fast', 4));
  const x = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 7);
  const y = tf.oneHot(tf.tensor1d([0, 3, 5, 9], 'int32'), 10).toFloat();
  const bias = model.getLayer(WHITENING_LAYER).weights.find((w) => w.originalName.endsWith('/bias'))!;
  const freeze = new FreezeAfterEpochs([bias], 3);
  const compute = new TrainingCompute(45000);
  const context = { model } as unknown as TrainingContext;
  const epochFlops = (epoch: number) => {
    freeze.onEpochBegin(epoch);
    compute.onEpochBegin(epoch, context);
    const logs: Logs = {};
    compute.onEpochEnd(epoch, logs);
    return logs.training_flops;
  };
  try {
    const training = epochFlops(2);
    const trained = await stepOf(model, x, y);
    assert.ok(trained.changed.includes(`${WHITENING_LAYER}/bias`), trained.changed.join());
    const frozen = epochFlops(3);
    const still = await stepOf(model, x, y);
    assert.ok(!still.changed.includes(`${WHITENING_LAYER}/bias`) && still.changed.includes('block1_conv1/kernel'), still.changed.join());
    // Nothing below block1_conv1 trains now: its input gradient (one Conv2DBackpropInput) is skipped.
    assert.equal(still.counts.get('Conv2DBackpropInput'), trained.counts.get('Conv2DBackpropInput')! - 1);
    const block1 = 2 * 3 * 3 * 24 * 8 * 31 * 31;
    assert.equal(training - frozen, block1 * 45000);
    freeze.onTrainEnd();
    assert.ok(bias.trainable);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

test("fast-small: the fast recipe's network with 32, 64, 128 filters, 3 epochs of 512 images, the recipe's rate per image", () => {
  const model = buildModel('fast-small', { seed: 1 });
  const filters = ['block1_conv1', 'block2_conv1', 'block3_conv2'].map((name) => (model.getLayer(name).getConfig() as { filters: number }).filters);
  assert.deepEqual(filters, [32, 64, 128]);
  model.dispose();
  const [small, full] = [recipeFor('fast-small'), recipeFor('fast')];
  assert.deepEqual([small.epochs, small.batchSize, full.epochs, full.batchSize], [3, 512, 10, 1024]);
  assert.ok(Math.abs(small.learningRate / small.batchSize - full.learningRate / full.batchSize) < 1e-12);
  assert.equal(recipeFor('fast-small', 256).batchSize, 256);
  assert.ok(usesFastRecipe('fast-small') && !usesFastRecipe('improved') && !usesFastRecipe('toString'));
});

test('a small fast-recipe run trains, reports milestones and TTA, and resumes to the same numbers', async () => {
  const dataset = syntheticDataset(256, 64);
  const options = { loadData: async () => dataset, progress: false, log: () => {} };
  const config: TrainingConfig = { ...DEFAULT_CONFIG, ...recipeFor('fast', 64), model: 'fast', seed: 3, epochs: 4 };
  const whole = await train(config, temporaryFolder('fast-whole'), options);
  const last = whole.history[whole.history.length - 1];
  assert.ok(last.val_accuracy > 0.3, `val_accuracy ${last.val_accuracy}`);
  assert.ok(last.val_accuracy_tta !== undefined && whole.history[0].val_accuracy_tta === undefined, 'TTA only after the last epoch');
  assert.ok(whole.history.every((row) => row.wall_seconds > 0));
  // The same run interrupted after epoch 2 and resumed.
  const folder = temporaryFolder('fast-resumed');
  const controller = new AbortController();
  const stopped = await train(config, folder, { ...options, signal: controller.signal, callbacks: [new AbortAfterEpoch(1, controller)] });
  assert.equal(stopped.stopReason, 'interrupted');
  const resumed = await resume(folder, options);
  const keys = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', 'val_accuracy_tta'];
  assert.deepEqual(resumed.history.map((row) => keys.map((k) => row[k])), whole.history.map((row) => keys.map((k) => row[k])));
});
