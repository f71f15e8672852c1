// convkit's Conv2D layer (models.conv2d, on ops.fusedConv2d): the outputs and gradients of
// tfjs's own Conv2D, only the gradients a step needs, and the Keras class name on disk.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';

import { backend, models, tf } from '../../src';
import { ProfiledKernels, countKernels, kernelCounts, randomValues, relativeError } from '../backend/compare';
import { classifierOf } from '../../src/insight/tta';

type ConvFactory = (args: ConvLayerArgs) => tfl.layers.Layer;
const theirs: ConvFactory = (args) => tfl.layers.conv2d(args);
const ours: ConvFactory = (args) => models.conv2d(args);

interface Case {
  label: string;
  batch: number;
  /** Height, width, channels of the input. */
  input: [number, number, number];
  /** The layer under test; a 3x3 'same' conv follows it, so its output gradient is not all ones. */
  layer: Omit<ConvLayerArgs, 'inputShape'>;
  /** Freeze the tested layer's kernel (its bias still trains), as the fast model freezes its whitening kernel. */
  frozenKernel?: boolean;
  /** An Activation('relu') layer follows the tested layer (which convkit's layer computes itself while training). */
  reluLayerAfter?: boolean;
  /** A max pool follows (after the relu layer, if any), whose gradient then applies relu's: 2x2, or 3x3 of stride 2 (overlapping windows). */
  poolAfter?: true | 'overlapping';
}

const CASES: Case[] = [
  { label: 'batch 1, odd sizes, valid, bias, linear', batch: 1, input: [5, 7, 3], layer: { filters: 4, kernelSize: 3 } },
  { label: 'stride 2, same, no bias, relu', batch: 2, input: [7, 5, 2],
    layer: { filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false, activation: 'relu' } },
  { label: 'stride 2, valid, 2x2, relu, frozen kernel', batch: 3, input: [9, 6, 3],
    layer: { filters: 5, kernelSize: 2, strides: 2, activation: 'relu' }, frozenKernel: true },
  { label: 'same, bias, linear, frozen kernel (the whitening layer)', batch: 2, input: [6, 6, 3],
    layer: { filters: 24, kernelSize: 2, padding: 'same' }, frozenKernel: true },
  { label: '1x1, stride 1, relu', batch: 1, input: [3, 4, 5], layer: { filters: 2, kernelSize: 1, activation: 'relu' } },
  { label: 'an activation the kernel does not fuse (tanh), rectangular kernel', batch: 2, input: [8, 7, 3],
    layer: { filters: 4, kernelSize: [3, 2], padding: 'same', activation: 'tanh' } },
  { label: 'Winograd-sized: 16 to 16 channels, 3x3 same on 12x12', batch: 2, input: [12, 12, 16],
    layer: { filters: 16, kernelSize: 3, padding: 'same', useBias: false } },
  { label: "then Activation('relu'): batch 1, odd sizes, valid, bias", batch: 1, input: [7, 5, 3],
    layer: { filters: 5, kernelSize: 3 }, reluLayerAfter: true },
  { label: "then Activation('relu'): stride 2, same, no bias, 33 channels", batch: 2, input: [9, 7, 5],
    layer: { filters: 33, kernelSize: 3, strides: 2, padding: 'same', useBias: false }, reluLayerAfter: true },
  { label: "then Activation('relu'): Winograd-sized, frozen kernel", batch: 2, input: [12, 12, 16],
    layer: { filters: 16, kernelSize: 3, padding: 'same' }, frozenKernel: true, reluLayerAfter: true },
  { label: "relu twice: a relu conv, then Activation('relu')", batch: 2, input: [6, 6, 3],
    layer: { filters: 4, kernelSize: 3, activation: 'relu' }, reluLayerAfter: true },
  // Windows whose values the relu set to 0 route no gradient; tfjs routes it to the first, where relu's gradient drops it.
  { label: "then Activation('relu') and a 2x2 max pool: Winograd-sized, odd size, 17 channels", batch: 2, input: [13, 11, 16],
    layer: { filters: 17, kernelSize: 3, padding: 'same' }, reluLayerAfter: true, poolAfter: true },
  { label: "then Activation('relu') and a 2x2 max pool: batch 1, valid, 9 channels, no bias", batch: 1, input: [14, 12, 9],
    layer: { filters: 5, kernelSize: 3, useBias: false }, reluLayerAfter: true, poolAfter: true },
  { label: 'a relu conv, then a 2x2 max pool', batch: 2, input: [10, 10, 8],
    layer: { filters: 9, kernelSize: 3, padding: 'same', activation: 'relu' }, poolAfter: true },
  { label: "then Activation('relu') and a 3x3 max pool of stride 2 (windows overlap)", batch: 3, input: [11, 9, 12],
    layer: { filters: 6, kernelSize: 3, padding: 'same' }, reluLayerAfter: true, poolAfter: 'overlapping' },
];

/** The case's model (the tested layer, then a 3x3 conv), built with `conv`, with seeded weights. */
function buildModel(c: Case, conv: ConvFactory): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      conv({ ...c.layer, name: 'tested', inputShape: c.input }),
      ...c.reluLayerAfter ? [tfl.layers.activation({ activation: 'relu', name: 'relu' })] : [],
      ...c.poolAfter ? [tfl.layers.maxPooling2d(c.poolAfter === 'overlapping'
        ? { poolSize: 3, strides: 2, padding: 'same', name: 'pool' } : { poolSize: 2, name: 'pool' })] : [],
      conv({ name: 'next', filters: 2, kernelSize: 3, padding: 'same' }),
    ],
  });
  model.setWeights(model.weights.map((w, i) => tf.tensor(randomValues(tf.util.sizeFromShape(w.shape as number[]), 100 + i), w.shape as number[])));
  if (c.frozenKernel) model.getLayer('tested').weights[0].trainable = false;
  return model;
}

/** Inference output, training-mode output, gradients for each trainable weight (by name) and for the input. */
function results(c: Case, conv: ConvFactory, backend: string): Record<string, Float32Array> {
  tf.setBackend(backend);
  const model = buildModel(c, conv);
  try {
    return tf.tidy(() => {
      const x = tf.tensor(randomValues(c.batch * c.input.reduce((a, b) => a * b), 1), [c.batch, ...c.input]);
      const outputShape = (model.outputs[0].shape as number[]).slice(1);
      const weighting = tf.tensor(randomValues(c.batch * outputShape.reduce((a, b) => a * b), 2), [c.batch, ...outputShape]);
      const loss = (input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: true }) as tf.Tensor, weighting)) as tf.Scalar;
      const out: Record<string, Float32Array> = {
        'inference output': (model.predict(x) as tf.Tensor).dataSync() as Float32Array,
        'training output': (model.apply(x, { training: true }) as tf.Tensor).dataSync() as Float32Array,
      };
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => loss(x), variables);
      model.trainableWeights.forEach((w, i) => { out[`gradient of ${w.originalName}`] = grads[variables[i].name].dataSync() as Float32Array; });
      out['gradient of the input'] = tf.grad(loss)(x).dataSync() as Float32Array;
      return out;
    });
  } finally {
    model.dispose();
    tf.setBackend('native');
  }
}

describe("convkit's Conv2D layer computes what tfjs's does", () => {
  for (const c of CASES) {
    it(c.label, () => {
      const expected = results(c, theirs, 'cpu');
      assert.equal('gradient of tested/kernel' in expected, !c.frozenKernel);
      for (const backend of ['native', 'cpu']) {
        const actual = results(c, ours, backend);
        assert.deepEqual(Object.keys(actual), Object.keys(expected));
        for (const [what, values] of Object.entries(actual)) {
          const error = relativeError(values, expected[what]);
          assert.ok(error <= 1e-4, `${backend}: ${what} differs from tfjs's layer by ${error.toExponential(2)}`);
        }
      }
    });
  }

  it("keeps tfjs's path for dilations and channels first, which the op does not take", () => {
    for (const layer of [{ dilationRate: 2 }, { dataFormat: 'channelsFirst' as const }]) {
      const c: Case = { label: '', batch: 2, input: [3, 7, 7], layer: { filters: 2, kernelSize: 2, ...layer } };
      const [a, b] = [ours, theirs].map((conv) => tf.tidy(() => {
        const model = buildModel(c, conv);
        const y = (model.predict(tf.tensor(randomValues(2 * 3 * 7 * 7, 3), [2, 3, 7, 7])) as tf.Tensor).dataSync();
        model.dispose();
        return y;
      }));
      assert.ok(relativeError(a, b) <= 1e-5, JSON.stringify(layer));
    }
  });
});

/** The kernels of one training step of `model` on `batch` random images. */
async function trainingStepKernels(model: tfl.LayersModel, batch: number): Promise<ProfiledKernels> {
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  const [height, width, channels] = (model.inputs[0].shape as number[]).slice(1);
  const classes = (model.outputs[0].shape as number[])[1];
  const x = tf.randomUniform([batch, height, width, channels], 0, 1, 'float32', 5);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32'), classes).toFloat();
  try {
    return (await tf.profile(() => model.trainOnBatch(x, y))).kernels;
  } finally {
    tf.dispose([x, y]);
  }
}

async function trainingStepCounts(model: tfl.LayersModel, batch: number): Promise<Map<string, number>> {
  return countKernels(await trainingStepKernels(model, batch));
}

describe('a training step computes only the gradients it uses', () => {
  it("the basic model: no input gradient for its first conv (3 of 4), where tfjs's layer computes 4", async () => {
    const model = models.basicModel({ seed: 1 });
    const counts = await trainingStepCounts(model, 2);
    model.dispose();
    assert.equal(counts.get('ConvkitFusedConv2D'), 4);
    // conv4's input gradient goes on through conv3's relu as it is written.
    assert.equal(counts.get('Conv2DBackpropInput'), 2);
    assert.equal(counts.get('ConvkitConv2DBackpropInputRelu'), 1);
    // The first conv's filter and bias gradients come from one kernel (one pass over dy).
    assert.equal(counts.get('Conv2DBackpropFilter'), 3);
    assert.equal(counts.get('ConvkitConv2DFilterBiasGrad'), 1);
    // The same two-conv model built with tfjs's layer pays for the images' gradient.
    const c: Case = { label: '', batch: 2, input: [6, 6, 3], layer: { filters: 3, kernelSize: 3 } };
    const withDense = (conv: ConvFactory) => {
      const convs = buildModel(c, conv);
      return tfl.sequential({ layers: [...convs.layers, tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
    };
    for (const [conv, inputGradients] of [[theirs, 2], [ours, 1]] as const) {
      const counts = await trainingStepCounts(withDense(conv), 2);
      assert.equal(counts.get('Conv2DBackpropInput'), inputGradients, conv === ours ? 'ours' : "tfjs's");
    }
  });

  it('the fast model: no filter gradient for the frozen whitening kernel, which stays; its bias trains', async () => {
    const model = models.fastModel({ seed: 1, widths: [8, 16, 16] });
    const whitening = (weight: 'kernel' | 'bias') =>
      model.getLayer(models.WHITENING_LAYER).weights.find((w) => w.originalName.endsWith(weight))!.read().dataSync().slice();
    const [kernelBefore, biasBefore] = [whitening('kernel'), whitening('bias')];
    // compile() sets every weight trainable again, which must not free the kernel.
    const counts = await trainingStepCounts(model, 4);
    const [kernelAfter, biasAfter] = [whitening('kernel'), whitening('bias')];
    model.dispose();
    assert.equal(counts.get('ConvkitFusedConv2D'), 7);
    assert.equal(counts.get('Conv2DBackpropInput'), 6, 'none for the whitening layer');
    assert.equal(counts.get('Conv2DBackpropFilter'), 6, 'none for the frozen whitening kernel');
    assert.deepEqual(kernelAfter, kernelBefore);
    assert.notDeepEqual(biasAfter, biasBefore);
  });

  it("a conv followed only by Activation('relu') computes the relu and its gradient itself while training", async () => {
    const c: Case = { label: '', batch: 2, input: [8, 8, 3], layer: { filters: 4, kernelSize: 3 }, reluLayerAfter: true };
    // Layers of one model only: a layer used in two models has two outbound nodes, and stays unfused.
    const withDense = (conv: ConvFactory) => tfl.sequential({ layers: [
      conv({ ...c.layer, inputShape: c.input }), tfl.layers.activation({ activation: 'relu' }), tfl.layers.flatten(),
      tfl.layers.dense({ units: 2 }),
    ] });
    const counts = await trainingStepCounts(withDense(ours), 2);
    // A first layer (3 input channels): relu, filter and bias gradients from one pass over dy.
    assert.equal(counts.get('ConvkitConv2DFilterBiasGrad'), 1, 'relu, filter and bias gradients in one pass');
    assert.equal(counts.get('ConvkitReluGradBias'), undefined);
    assert.equal(counts.get('Conv2DBackpropFilter'), undefined);
    assert.equal(counts.get('ConvkitReluGrad'), undefined, "the relu layer's gradient passes dy on");
    const tfjsCounts = await trainingStepCounts(withDense(theirs), 2);
    assert.equal(tfjsCounts.get('ConvkitReluGrad'), 1);
    // The basic model: four conv + relu pairs; its dense + relu pair keeps the relu layer's gradient.
    const basic = models.basicModel({ seed: 1 });
    const basicKernels = await trainingStepKernels(basic, 2);
    const basicCounts = countKernels(basicKernels);
    basic.dispose();
    // conv2 and conv4 feed max pools, whose gradients apply relu's and sum it for their bias
    // gradients, and conv4's input gradient does for conv3 (conv1, a first layer, applies its
    // own in its filter gradient's pass): no pass of relu's gradient and no Sum over a
    // feature map remain.
    assert.equal(basicCounts.get('ConvkitReluGradBias'), undefined, 'conv3: relu and bias gradients from conv4');
    assert.equal(basicCounts.get('ConvkitConv2DBackpropInputRelu'), 1);
    const featureMapSums = basicKernels.filter((k) => k.name === 'Sum' && k.inputShapes[0]?.length === 4);
    assert.deepEqual(featureMapSums.map((k) => k.inputShapes[0]), []);
    assert.equal(basicCounts.get('ConvkitConv2DFilterBiasGrad'), 1);
    assert.equal(basicCounts.get('ConvkitReluGrad'), 1);
  });

  it('keeps the conv layer\'s own output linear outside training (what feature maps show)', () => {
    const c: Case = { label: '', batch: 2, input: [8, 8, 3], layer: { filters: 4, kernelSize: 3 }, reluLayerAfter: true };
    const model = buildModel(c, ours);
    const convOutput = tfl.model({ inputs: model.inputs, outputs: model.getLayer('tested').output as tfl.SymbolicTensor });
    tf.tidy(() => {
      const x = tf.tensor(randomValues(2 * 8 * 8 * 3, 9), [2, 8, 8, 3]);
      const linear = (convOutput.predict(x) as tf.Tensor).min().dataSync()[0];
      assert.ok(linear < 0, `the conv's inference output has negative values (min ${linear})`);
      // Training, or classifying with the whole model, in between changes nothing about that.
      model.apply(x, { training: true });
      assert.equal((convOutput.predict(x) as tf.Tensor).min().dataSync()[0], linear);
      classifierOf(model)(x as tf.Tensor4D);
      assert.equal((convOutput.predict(x) as tf.Tensor).min().dataSync()[0], linear);
    });
    model.dispose();
  });

  it('a gradient for the input image computes no filter gradients', async () => {
    const model = models.basicModel({ seed: 1 });
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 6);
    const counts = await kernelCounts(async () => tf.grad((input: tf.Tensor) => tf.sum(model.apply(input) as tf.Tensor))(x));
    tf.dispose([x]);
    model.dispose();
    assert.equal(counts.get('Conv2DBackpropInput'), 4);
    assert.equal(counts.get('Conv2DBackpropFilter'), undefined);
    assert.equal(counts.get('ConvkitConv2DFilterBiasGrad'), undefined);
  });
});

/** The activation each ConvkitFusedConv2D kernel applied while `run` ran. */
function convActivations(run: () => tf.Tensor): string[] {
  const engine = tf.engine();
  const runKernel = engine.runKernel;
  const seen: string[] = [];
  engine.runKernel = function (this: typeof engine, name, inputs, attrs) {
    if (name === 'ConvkitFusedConv2D') seen.push(String(attrs?.activation));
    return runKernel.call(this, name, inputs, attrs);
  } as typeof runKernel;
  try {
    tf.dispose(run());
  } finally {
    engine.runKernel = runKernel;
  }
  return seen;
}

describe("convkit's Conv2D in inference and on disk", () => {
  it("classifying with the whole model (classifierOf) applies the relu layer in the conv's kernel, with the same bits", async () => {
    const model = models.basicModel({ seed: 3 });
    const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 8);
    const plain = (model.predict(x) as tf.Tensor).dataSync().slice();
    const classify = classifierOf(model);
    const fused = tf.tidy(() => classify(x as tf.Tensor4D).dataSync().slice());
    const [fusedActivations, plainActivations] = [() => classify(x as tf.Tensor4D), () => model.predict(x) as tf.Tensor]
      .map(convActivations);
    tf.dispose([x]);
    model.dispose();
    assert.deepEqual(fused, plain);
    assert.deepEqual(fusedActivations, ['relu', 'relu', 'relu', 'relu']);
    assert.deepEqual(plainActivations, ['linear', 'linear', 'linear', 'linear']);
  });

  it('a conv whose output goes (through its relu) to a 2x2 max pool pools its own tiles, with the same bits, and its gradient reads the maxima recorded', () => {
    // 16 channels and a 16x16 output: F(4x4) Winograd, whose tiles hold whole pool windows.
    const model = tfl.sequential({ layers: [
      models.conv2d({ filters: 16, kernelSize: 3, padding: 'same', inputShape: [16, 16, 16] }),
      tfl.layers.activation({ activation: 'relu' }), tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 3 })] });
    const x = tf.randomUniform([2, 16, 16, 16], -1, 1, 'float32', 9) as tf.Tensor4D;
    const addon = backend.addon!;
    const { maxPool, maxPoolGradArgmax, conv2d } = addon;
    const noCalls = () => ({ maxPool: 0, maxPoolGradArgmax: 0, outputWritten: 0, outputLeft: 0 });
    let calls = noCalls();
    addon.maxPool = (...args: Parameters<typeof maxPool>) => { calls.maxPool += 1; return maxPool(...args); };
    addon.maxPoolGradArgmax = (...args: Parameters<typeof maxPoolGradArgmax>) => {
      calls.maxPoolGradArgmax += 1;
      return maxPoolGradArgmax(...args);
    };
    addon.conv2d = ((...args: Parameters<typeof conv2d>) => {
      if (args[3]) calls.outputWritten += 1;
      else calls.outputLeft += 1;
      return conv2d(...args);
    }) as typeof conv2d;
    const run = (forward: () => tf.Tensor) => {
      calls = noCalls();
      const values = tf.tidy(() => forward().dataSync().slice());
      return { values, maxPools: calls.maxPool, outputLeft: calls.outputLeft };
    };
    const gradients = (training: boolean) => {
      calls = noCalls();
      const values = tf.tidy(() => Object.values(tf.variableGrads(() => tf.sum(model.apply(x, { training }) as tf.Tensor)).grads)
        .map((g) => g.dataSync().slice()));
      return { values, ...calls };
    };
    try {
      const plain = run(() => model.predict(x) as tf.Tensor);
      const classified = run(() => classifierOf(model)(x));
      const training = run(() => model.apply(x, { training: true }) as tf.Tensor);
      assert.deepEqual([plain.maxPools, classified.maxPools, training.maxPools], [1, 0, 0]);
      // Nothing but the pool reads the conv's output: it is never written (lazy_output.ts).
      assert.deepEqual([plain.outputLeft, classified.outputLeft, training.outputLeft], [0, 1, 1]);
      assert.deepEqual(classified.values, plain.values);
      assert.deepEqual(training.values, plain.values);
      const [fusedGradients, plainGradients] = [gradients(true), gradients(false)];
      assert.deepEqual([fusedGradients.maxPool, fusedGradients.maxPoolGradArgmax], [0, 1]);
      assert.deepEqual([fusedGradients.outputLeft, fusedGradients.outputWritten], [1, 0]);
      assert.deepEqual([plainGradients.maxPool, plainGradients.maxPoolGradArgmax], [1, 0]);
      fusedGradients.values.forEach((g, i) => assert.ok(relativeError(g, plainGradients.values[i]) < 1e-5, `gradient ${i}`));
    } finally {
      Object.assign(addon, { maxPool, maxPoolGradArgmax, conv2d });
      tf.dispose(x);
      model.dispose();
    }
  });

  it('fuses bias and relu into the one kernel in inference', async () => {
    const model = tfl.sequential({ layers: [models.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 3] })] });
    const x = tf.randomUniform([2, 6, 6, 3]);
    const counts = await kernelCounts(async () => model.predict(x));
    tf.dispose([x]);
    model.dispose();
    assert.equal(counts.get('ConvkitFusedConv2D'), 1);
    assert.ok(!counts.has('Relu') && !counts.has('Add'), [...counts.keys()].join());
  });

  it("saves as Keras's Conv2D with tfjs's config, and loading builds convkit's class", async () => {
    const c: Case = { label: '', batch: 1, input: [8, 8, 3], layer: { filters: 4, kernelSize: 3, strides: 2, activation: 'relu' } };
    const [mine, tfjs] = [ours, theirs].map((conv) => buildModel(c, conv));
    const json = mine.toJSON(null, false) as { config: { layers: Array<{ class_name: string }> } };
    assert.deepEqual(json.config.layers.map((l) => l.class_name), ['Conv2D', 'Conv2D']);
    // Layer names aside (tfjs numbers its models), the two topologies are the same.
    const unnamed = (model: tfl.LayersModel) => JSON.stringify(model.toJSON(null, false)).replace(/"name":"[^"]*"/g, '');
    assert.equal(unnamed(mine), unnamed(tfjs));
    const reloaded = await tfl.models.modelFromJSON({ modelTopology: json as never });
    assert.ok(reloaded.layers.every((layer) => layer instanceof models.Conv2D), "the registry builds convkit's class");
    const folder = mkdtempSync(path.join(tmpdir(), 'convkit-conv2d-'));
    try {
      const file = path.join(folder, 'model.json');
      writeFileSync(file, JSON.stringify(tfjs.toJSON(null, false)));
      const loaded = await models.loadArchitecture(file);
      assert.ok(loaded.layers.every((layer) => layer instanceof models.Conv2D), "the Keras JSON loader builds convkit's class");
      loaded.dispose();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    [mine, tfjs, reloaded].forEach((model) => model.dispose());
  });
});
