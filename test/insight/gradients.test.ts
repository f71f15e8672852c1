import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { models, tf } from '../../src';
import { ConvkitError } from '../../src/errors';
import { activationMaximization, classScores, gradCam, saliency, smoothGrad } from '../../src/insight';
import { modelUpTo } from '../../src/insight/layers';
import { ConvFactory, argmax, brightSquareModel, imageWithSquare, seededValues, setWeights, tinyClassifier } from './fixtures';

/** Flatten + Dense softmax on 4x4x3 images: the gradient of a class score is that class's weight column. */
function linearModel(): { model: tfl.LayersModel; kernel: number[] } {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [4, 4, 3] }));
  model.add(tfl.layers.dense({ name: 'scores', units: 2, activation: 'softmax' }));
  const kernel = seededValues(48 * 2, 5);
  setWeights(model.getLayer('scores'), kernel, [0, 0]);
  return { model, kernel };
}

const smallImage = { pixels: Uint8Array.from({ length: 48 }, (_, i) => (i * 37) % 256), height: 4, width: 4, channels: 3 };

describe('saliency and SmoothGrad', () => {
  it('the input gradient of a linear model is its weight column (the score before the softmax)', () => {
    const { model, kernel } = linearModel();
    const map = saliency(model, smallImage, { classIndex: 1 });
    for (let pixel = 0; pixel < 16; pixel++) {
      const weights = [0, 1, 2].map((channel) => kernel[(pixel * 3 + channel) * 2 + 1]);
      assert.ok(Math.abs(map.signed[pixel] - weights.reduce((a, b) => a + b)) < 1e-6, `pixel ${pixel}`);
      assert.ok(Math.abs(map.magnitude[pixel] - Math.max(...weights.map(Math.abs))) < 1e-6, `pixel ${pixel}`);
    }
  });

  it('SmoothGrad of a linear model equals its plain gradient (noise cannot change a constant gradient)', () => {
    const { model } = linearModel();
    const plain = saliency(model, smallImage);
    const smooth = smoothGrad(model, smallImage, { samples: 8 });
    assert.equal(smooth.classIndex, plain.classIndex);
    smooth.signed.forEach((value, i) => assert.ok(Math.abs(value - plain.signed[i]) < 1e-5));
  });

  it('SmoothGrad on the square detector points at the square', () => {
    const map = smoothGrad(brightSquareModel(), imageWithSquare(9, 3), { samples: 16 });
    const peak = argmax(map.magnitude);
    const [y, x] = [Math.floor(peak / 16), peak % 16];
    assert.ok(y >= 8 && y <= 13 && x >= 2 && x <= 7, `peak at (${y}, ${x})`);
  });
});

describe('class scores', () => {
  it('are the logits before a softmax Activation layer', () => {
    const model = tinyClassifier();
    const input = tf.randomUniform([2, 16, 16, 3]);
    const logits = classScores(model)(input);
    const expected = modelUpTo(model, model.getLayer('scores')).predict(input) as tf.Tensor;
    assert.deepEqual(logits.shape, [2, 3]);
    const [a, b] = [logits.dataSync(), expected.dataSync()];
    a.forEach((value, i) => assert.ok(Math.abs(value - b[i]) < 1e-5));
    tf.dispose([input, logits, expected]);
  });
});

describe('Grad-CAM', () => {
  it('looks at the last conv layer and lights up the square', () => {
    const map = gradCam(brightSquareModel(), imageWithSquare(9, 3));
    assert.equal(map.layerName, 'detector');
    assert.equal(map.classIndex, 1);
    assert.deepEqual([map.gridHeight, map.gridWidth, map.heat.length], [14, 14, 256]);
    const peak = argmax(map.heat);
    const [y, x] = [Math.floor(peak / 16), peak % 16];
    assert.ok(y >= 8 && y <= 13 && x >= 2 && x <= 7, `peak at (${y}, ${x})`);
    assert.ok(Math.abs(Math.max(...map.heat) - 1) < 1e-5, 'scaled to a peak of 1');
    assert.ok(map.heat[0] < 0.05, 'the far corner stays cold');
  });

  it('says clearly when the model has no conv layer, or the layer does not exist', () => {
    assert.throws(() => gradCam(linearModel().model, smallImage), (error: Error) =>
      error instanceof ConvkitError && /no convolution layer/.test(error.message));
    assert.throws(() => gradCam(brightSquareModel(), imageWithSquare(9, 3), { layerName: 'conv9' }),
      /no layer "conv9"; its layers are: detector, strongest, classes/);
    assert.throws(() => gradCam(brightSquareModel(), imageWithSquare(9, 3), { layerName: 'classes' }),
      /needs a convolution layer, and "classes" is a Dense/);
  });
});

describe("with convkit's Conv2D, whose gradients are computed per input", () => {
  it("saliency, Grad-CAM and activation maximisation match tfjs's own Conv2D", () => {
    const image = { pixels: Uint8Array.from(seededValues(16 * 16 * 3, 8), (v) => Math.floor((v + 1) * 127.99)), height: 16, width: 16, channels: 3 };
    const maps = (conv: ConvFactory) => {
      const model = tinyClassifier(3, 16, conv);
      const pattern = activationMaximization(model, 'conv_b', { count: 2, steps: 6 }).patterns;
      const result = {
        saliency: saliency(model, image, { classIndex: 2 }).signed,
        gradCamA: gradCam(model, image, { layerName: 'conv_a', classIndex: 1 }).grid,
        gradCamB: gradCam(model, image, { classIndex: 0 }).grid,
        patterns: Float32Array.from(pattern.flatMap((p) => Array.from(p.image.pixels))),
      };
      model.dispose();
      return result;
    };
    const [ours, theirs] = [maps((args) => models.conv2d(args)), maps((args) => tfl.layers.conv2d(args))];
    for (const what of ['saliency', 'gradCamA', 'gradCamB'] as const) {
      const scale = Math.max(...theirs[what].map(Math.abs));
      assert.ok(scale > 0, `${what} is not all zero`);
      ours[what].forEach((value, i) => assert.ok(Math.abs(value - theirs[what][i]) <= 1e-5 * scale, `${what}[${i}]: ${value} vs ${theirs[what][i]}`));
    }
    // Display bytes after a few steps of ascent: a rounding step apart at most.
    ours.patterns.forEach((value, i) => assert.ok(Math.abs(value - theirs.patterns[i]) <= 1, `pattern byte ${i}`));
  });
});
