// Test-time augmentation: the image transforms pixel by pixel, airbench's averaging with a
// classifier whose outputs are hand-computable, and the levels through evaluation and
// prediction on models whose answers are known.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../../src';
import { scaleOnlyNormalization } from '../../src/data/preprocess';
import { ConvkitError } from '../../src/errors';
import { mirrorImages, predictPixels, predictWithTta, translateImages } from '../../src/insight';
import { evaluate, evaluateWithTta } from '../../src/training/evaluate';
import { randomImageSet, seededValues, setWeights, tinyClassifier } from './fixtures';

/** One 3x3 single-channel image holding 1..9, row by row. */
const nine = () => tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);

function pixels(values: tf.Tensor): number[] {
  return Array.from(values.dataSync());
}

/**
 * Global average pooling after a convolution whose kernel is its own mirror image: a
 * mirrored input gives mirrored feature maps with the same averages, so the model's
 * output does not change when the image is mirrored.
 */
function mirrorSymmetricModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ name: 'symmetric', inputShape: [16, 16, 3], filters: 4, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.globalAveragePooling2d({ name: 'average' }));
  model.add(tfl.layers.dense({ name: 'scores', units: 3, activation: 'softmax' }));
  const values = seededValues(3 * 3 * 3 * 4, 17);
  // Kernel [kh, kw, in, out]: column kw = 2 repeats column kw = 0.
  const kernel = values.map((_, i) => {
    const kw = Math.floor(i / 12) % 3;
    return kw === 2 ? values[i - 2 * 12] : values[i];
  });
  setWeights(model.getLayer('symmetric'), kernel, [0.1, -0.1, 0.05, 0]);
  setWeights(model.getLayer('scores'), seededValues(12, 4).map((v) => v * 3), [0, 0.2, -0.2]);
  return model;
}

describe('test-time augmentation', () => {
  it('mirrors left-right and translates by reflection, pixel for pixel', () => {
    tf.tidy(() => {
      assert.deepEqual(pixels(mirrorImages(nine())), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
      // Padded by reflection: rows 5 4 5 6 5 / 2 1 2 3 2 / 5 4 5 6 5 / 8 7 8 9 8 / 5 4 5 6 5.
      assert.deepEqual(pixels(translateImages(nine(), 1, 0, 0)), [5, 4, 5, 2, 1, 2, 5, 4, 5]);
      assert.deepEqual(pixels(translateImages(nine(), 1, 2, 2)), [5, 6, 5, 8, 9, 8, 5, 6, 5]);
      assert.deepEqual(pixels(translateImages(nine(), 1, 1, 1)), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // Two pixels out, reflection reaches the far edge: the window (0, 4) is the image turned half round.
      assert.deepEqual(pixels(translateImages(nine(), 2, 0, 4)), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
    });
    assert.throws(() => translateImages(nine(), 3, 0, 0), /reflection pad must be a whole number of pixels from 0 to 2/);
    assert.throws(() => translateImages(nine(), 1, 3, 0), /starts at 0 to 2, got \(3, 0\)/);
  });

  it('averages the outputs over the views as airbench does', () => {
    // Scores that read pixels: [x(0,0), x(0,1) + 10 * x(1,0)], easy to follow by hand.
    const classify = (images: tf.Tensor4D) => tf.tidy(() => {
      const count = images.shape[0];
      const corner = tf.reshape(tf.slice(images, [0, 0, 0, 0], [-1, 1, 1, 1]), [count, 1]);
      const right = tf.reshape(tf.slice(images, [0, 0, 1, 0], [-1, 1, 1, 1]), [count, 1]);
      const below = tf.reshape(tf.slice(images, [0, 1, 0, 0], [-1, 1, 1, 1]), [count, 1]);
      return tf.concat([corner, tf.add(right, tf.mul(below, 10))], 1) as tf.Tensor2D;
    });
    const image = nine();
    const levels = [0, 1, 2].map((level) => tf.tidy(() => pixels(predictWithTta(classify, image, level))));
    assert.deepEqual(levels[0], [1, 42]);
    // Mirror image 3 2 1 / 6 5 4 / ... scores [3, 62]: the mean is [2, 52].
    assert.deepEqual(levels[1], [2, 52]);
    // Shifted views (symmetric, so their mirror means are themselves): [5, 24] and [5, 86].
    assert.deepEqual(levels[2], [0.5 * 2 + 0.25 * (5 + 5), 0.5 * 52 + 0.25 * (24 + 86)]);
    assert.throws(() => predictWithTta(classify, image, 3), (e: Error) => e instanceof ConvkitError && /0 \(none\), 1 \(mirror\) or 2/.test(e.message));
    image.dispose();
  });

  it('level 0 is plain evaluation; a mirror-symmetric model scores the same with the mirror', async () => {
    const set = randomImageSet(20);
    const normalization = scaleOnlyNormalization(3);
    const model = tinyClassifier();
    const plain = await evaluate(model, set, normalization);
    assert.deepEqual(await evaluate(model, set, normalization, 250, { tta: 0 }), plain);
    const mirrored = await evaluate(model, set, normalization, 250, { tta: 1 });
    assert.notEqual(mirrored.loss, plain.loss, 'an ordinary model sees the mirror image differently');
    await assert.rejects(evaluate(model, set, normalization, 250, { tta: 4 }), ConvkitError);

    const symmetric = mirrorSymmetricModel();
    const before = tf.memory().numTensors;
    const [none, mirror] = [await evaluate(symmetric, set, normalization), await evaluate(symmetric, set, normalization, 250, { tta: 1 })];
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    assert.ok(Math.abs(mirror.loss - none.loss) < 1e-6, `${mirror.loss} vs ${none.loss}`);
    assert.equal(mirror.accuracy, none.accuracy);
    model.dispose();
    symmetric.dispose();
  });

  it('evaluateWithTta gives the plain and the augmented scores of one pass, as two evaluations would', async () => {
    const set = randomImageSet(23);
    const normalization = scaleOnlyNormalization(3);
    const model = tinyClassifier();
    const plain = await evaluate(model, set, normalization, 10);
    for (const level of [1, 2]) {
      const before = tf.memory().numTensors;
      const both = await evaluateWithTta(model, set, normalization, level, 10);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      assert.deepEqual(both.plain, plain);
      assert.deepEqual(both.tta, await evaluate(model, set, normalization, 10, { tta: level }));
      assert.ok(both.ttaSeconds > 0);
    }
    await assert.rejects(evaluateWithTta(model, set, normalization, 0), ConvkitError);
    model.dispose();
  });

  it('predictions take the level too, and stay probabilities', () => {
    const set = randomImageSet(5);
    const symmetric = mirrorSymmetricModel();
    const none = predictPixels(symmetric, set.images, set.count);
    const mirror = predictPixels(symmetric, set.images, set.count, { tta: 1 });
    mirror.probabilities.forEach((p, i) => assert.ok(Math.abs(p - none.probabilities[i]) < 1e-6));
    const model = tinyClassifier();
    const translated = predictPixels(model, set.images, set.count, { tta: 2, batchSize: 2 });
    const plain = predictPixels(model, set.images, set.count);
    assert.notDeepEqual(translated.probabilities, plain.probabilities);
    for (let row = 0; row < set.count; row++) {
      const sum = translated.probabilities.subarray(row * 3, row * 3 + 3).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-6, `row ${row} sums to ${sum}`);
    }
    assert.throws(() => predictPixels(model, set.images, set.count, { tta: -1 }), ConvkitError);
    model.dispose();
    symmetric.dispose();
  });
});
