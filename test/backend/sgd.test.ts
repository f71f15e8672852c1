import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as tfl from '@tensorflow/tfjs-layers';

import { backend, optimizers, tf } from '../../src';
import { ConvkitError } from '../../src/errors';
import { SgdOptions } from '../../src/optimizers';
import { captureOptimizer, restoreOptimizer } from '../../src/training/optimizer_state';

import { randomValues, relativeError } from './compare';

let runs = 0;

/** Three variables: a kernel (scale 1), a norm bias (scale 64) and a frozen bias (scale 0), named uniquely per run. */
function makeVariables(): tf.Variable[] {
  runs++;
  return [[`run${runs}/conv/kernel`, [3, 3, 5, 33]], [`run${runs}/norm/beta`, [33]], [`run${runs}/frozen/bias`, [7]]]
    .map(([name, shape], i) => tf.variable(tf.tensor(randomValues(tf.util.sizeFromShape(shape as number[]), 10 + i),
      shape as number[]), true, name as string));
}

const groupedOptions = (nesterov: boolean): SgdOptions => ({
  learningRate: 0.2, momentum: 0.85, nesterov, weightDecay: 5e-3,
  groups: [
    { name: 'norm biases', match: (name) => /\/norm\/beta$/.test(name), learningRateScale: 64 },
    { name: 'frozen', match: (name) => name.endsWith('/frozen/bias'), learningRateScale: 0 },
  ],
});

/** The schedule the tests apply: the rate changes at every step, as a LearningRateScheduler would. */
const rateAt = (step: number) => 0.2 * (1 - 0.15 * step);

/** Seeded gradients for step `step`, one per variable. */
function gradientsAt(step: number, variables: tf.Variable[]): Array<{ name: string; tensor: tf.Tensor }> {
  return variables.map((v, i) => ({ name: v.name, tensor: tf.tensor(randomValues(v.size, 100 * step + i), v.shape) }));
}

/** `steps` SGD steps on fresh variables; returns the values and the optimizer's state after each. */
async function train(backendName: string, options: SgdOptions, steps: number) {
  tf.setBackend(backendName);
  try {
    const variables = makeVariables();
    const optimizer = optimizers.sgd(options);
    for (let step = 0; step < steps; step++) {
      optimizer.learningRate = rateAt(step);
      const gradients = gradientsAt(step, variables);
      optimizer.applyGradients(gradients);
      tf.dispose(gradients.map((g) => g.tensor));
    }
    const weights = await optimizer.getWeights();
    const result = { values: variables.map((v) => v.dataSync().slice()), state: weights.map((w) => w.tensor.dataSync().slice()) };
    tf.dispose([...variables, ...weights.map((w) => w.tensor)]);
    optimizer.dispose();
    return result;
  } finally {
    tf.setBackend('native');
  }
}

/** The same steps from plain tf ops, following the formula line by line. */
async function trainWithTfOps(options: SgdOptions, steps: number) {
  const variables = makeVariables();
  const buffers: tf.Tensor[] = variables.map((v) => tf.zerosLike(v));
  const scales = variables.map((v) => options.groups?.find((g) => g.match(v.name))?.learningRateScale ?? 1);
  for (let step = 0; step < steps; step++) {
    const gradients = gradientsAt(step, variables);
    variables.forEach((p, i) => {
      const scale = scales[i], g = gradients[i].tensor;
      const lr = rateAt(step) * scale, lambda = scale === 0 ? 0 : (options.weightDecay ?? 0) / (options.learningRate * scale);
      const next = tf.tidy(() => {
        let d = tf.add(g, tf.mul(lambda, p));
        const buffer = tf.add(tf.mul(options.momentum, buffers[i]), d);
        d = options.nesterov === false ? buffer : tf.add(d, tf.mul(options.momentum, buffer));
        return [tf.sub(p, tf.mul(lr, d)), buffer];
      });
      p.assign(next[0]);
      buffers[i].dispose();
      buffers[i] = next[1];
      next[0].dispose();
    });
    tf.dispose(gradients.map((g) => g.tensor));
  }
  const result = { values: variables.map((v) => v.dataSync().slice()), state: buffers.map((b) => b.dataSync().slice()) };
  tf.dispose([...variables, ...buffers]);
  return result;
}

describe('SGD (ConvkitSgdUpdate)', () => {
  for (const nesterov of [true, false]) {
    it(`gives bit-identical weights and momentum on the native and cpu backends (nesterov ${nesterov})`, async () => {
      const before = backend.fallbackCounts().get('ConvkitSgdUpdate');
      const native = await train('native', groupedOptions(nesterov), 5), cpu = await train('cpu', groupedOptions(nesterov), 5);
      assert.deepEqual(native, cpu);
      assert.equal(backend.fallbackCounts().get('ConvkitSgdUpdate'), before, 'the native kernel ran');
    });
    it(`follows the formula, as plain tf ops compute it, within 1e-6 (nesterov ${nesterov})`, async () => {
      const ours = await train('native', groupedOptions(nesterov), 5), reference = await trainWithTfOps(groupedOptions(nesterov), 5);
      ours.values.forEach((values, i) => assert.ok(relativeError(values, reference.values[i]) < 1e-6, `variable ${i}`));
      ours.state.slice(1).forEach((buffer, i) => assert.ok(relativeError(buffer, reference.state[i]) < 1e-6, `buffer ${i}`));
    });
  }
  it('takes PyTorch\'s steps on a worked example', () => {
    const p = tf.variable(tf.scalar(1));
    const optimizer = optimizers.sgd({ learningRate: 0.1, momentum: 0.9 });
    // d = 0.5, buf = 0.5, d = 0.5 + 0.9 * 0.5 = 0.95, p = 1 - 0.095; then buf = 0.95, d = 1.355, p = 0.905 - 0.1355.
    for (const expected of [0.905, 0.7695]) {
      tf.tidy(() => optimizer.applyGradients({ [p.name]: tf.scalar(0.5) }));
      assert.ok(Math.abs(p.dataSync()[0] - expected) < 1e-6, `${p.dataSync()[0]} vs ${expected}`);
    }
    tf.dispose(p);
    optimizer.dispose();
  });
  it('decays weights by (rate / base rate) * weightDecay per step, whatever the group\'s scale', () => {
    const [kernel, normBeta, frozen] = makeVariables();
    const optimizer = optimizers.sgd({ ...groupedOptions(true), momentum: 0 });
    optimizer.learningRate = 0.1;  // half the base rate: half the decay
    const start = [kernel, normBeta, frozen].map((v) => v.dataSync().slice());
    tf.tidy(() => optimizer.applyGradients([kernel, normBeta, frozen].map((v) => ({ name: v.name, tensor: tf.zerosLike(v) }))));
    [kernel, normBeta].forEach((v, i) => {
      const expected = start[i].map((x) => x * (1 - 0.5 * 5e-3));
      assert.ok(relativeError(v.dataSync(), expected) < 1e-6, v.name);
    });
    assert.deepEqual(frozen.dataSync(), start[2], 'a group at scale 0 stands still');
    tf.dispose([kernel, normBeta, frozen]);
    optimizer.dispose();
  });
  it('reads a group\'s scale at every step: a frozen group moves once its scale is set', () => {
    const variables = makeVariables();
    const options = groupedOptions(true);
    const optimizer = optimizers.sgd(options);
    const frozen = variables[2], start = frozen.dataSync().slice();
    const step = (s: number) => tf.tidy(() => optimizer.applyGradients(gradientsAt(s, variables)));
    step(0);
    assert.deepEqual(frozen.dataSync(), start);
    optimizer.groups[1].learningRateScale = 1;
    step(1);
    assert.notDeepEqual([...frozen.dataSync()], [...start]);
    assert.equal(options.groups![1], optimizer.groups[1], 'the groups are the objects given');
    tf.dispose(variables);
    optimizer.dispose();
  });
  it('saves the step count and one momentum buffer per variable, and keeps no stray tensors', async () => {
    const variables = makeVariables();
    const optimizer = optimizers.sgd(groupedOptions(true));
    const step = (s: number) => tf.tidy(() => optimizer.applyGradients(gradientsAt(s, variables)));
    step(0);
    const tensors = tf.memory().numTensors;
    for (let s = 1; s < 4; s++) step(s);
    assert.equal(tf.memory().numTensors, tensors);
    const weights = await optimizer.getWeights();
    assert.deepEqual(weights.map((w) => w.name), ['iter', ...variables.map((v) => `${v.name}/momentum`)]);
    assert.deepEqual(weights.map((w) => w.tensor.shape), [[], ...variables.map((v) => v.shape)]);
    assert.equal(weights[0].tensor.dataSync()[0], 4);
    weights[0].tensor.dispose();
    assert.equal(optimizer.getClassName(), 'SGD');
    assert.deepEqual(optimizer.getConfig(), { learningRate: 0.2, momentum: 0.85, nesterov: true, weightDecay: 5e-3 });
    optimizer.dispose();
    assert.equal(tf.memory().numTensors, tensors - variables.length);
    tf.dispose(variables);
  });
  it('rejects settings outside their ranges', () => {
    assert.throws(() => optimizers.sgd({ learningRate: 0, momentum: 0.9 }), /learningRate/);
    assert.throws(() => optimizers.sgd({ learningRate: 0.1, momentum: 1 }), /momentum/);
    assert.throws(() => optimizers.sgd({ learningRate: 0.1, momentum: 0.9, weightDecay: -1 }), /weightDecay/);
    assert.throws(() => optimizers.sgd({ learningRate: 0.1, momentum: 0.9, groups: [{ match: () => true, learningRateScale: NaN }] }),
      /learningRateScale/);
  });
});

describe('SGD checkpoints (captureOptimizer, restoreOptimizer)', () => {
  const tinyModel = (units = 5) => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units, inputShape: [4], activation: 'relu' }));
    model.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
    model.compile({
      optimizer: optimizers.sgd({ learningRate: 0.05, momentum: 0.85, weightDecay: 1e-3,
        groups: [{ match: (name) => name.endsWith('/bias'), learningRateScale: 4 }] }),
      loss: 'categoricalCrossentropy',
    });
    return model;
  };

  it('a restored optimizer takes bit-identical next steps', async () => {
    const xs = tf.tensor(randomValues(8 * 4, 1), [8, 4]), ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const steps = async (model: tfl.LayersModel, rates: number[]) => {
      for (const rate of rates) {
        (model.optimizer as optimizers.SGD).learningRate = rate;
        await model.trainOnBatch(xs, ys);
      }
    };
    const model = tinyModel();
    await steps(model, [0.05, 0.04]);
    const { spec, data } = await captureOptimizer(model.optimizer);
    const weightsAtSave = model.getWeights().map((w) => w.clone());
    await steps(model, [0.03, 0.02]);

    const resumed = tinyModel();
    resumed.setWeights(weightsAtSave);
    await restoreOptimizer(resumed, JSON.parse(JSON.stringify(spec)), data, 'test');
    await steps(resumed, [0.03, 0.02]);
    assert.deepEqual(resumed.getWeights().map((w) => w.dataSync()), model.getWeights().map((w) => w.dataSync()));

    const other = tinyModel(6);
    await assert.rejects(restoreOptimizer(other, spec, data, 'test'), (e: Error) => e instanceof ConvkitError && /has shape \[4,5\]/.test(e.message));
    for (const m of [model, resumed, other]) {
      m.optimizer.dispose();
      m.dispose();
    }
    tf.dispose([xs, ys, ...weightsAtSave]);
  });
});
