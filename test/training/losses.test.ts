// Label-smoothed cross-entropy: Keras's numbers, the logits gradient, and use in training.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../../src';
import { categoricalCrossentropy } from '../../src/training/losses';

const labels = [[0, 1, 0], [1, 0, 0]];
const probabilities = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]];

test('label smoothing moves a fraction of each label evenly onto all classes, as Keras does', () => {
  const smoothing = 0.3;
  const losses = tf.tidy(() => categoricalCrossentropy({ labelSmoothing: smoothing })(tf.tensor2d(labels), tf.tensor2d(probabilities)).arraySync());
  // By hand: smoothed label = label * 0.7 + 0.1, loss = -sum(smoothed * log p).
  const expected = labels.map((row, i) => -row.reduce((sum, label, c) => sum + (label * (1 - smoothing) + smoothing / 3) * Math.log(probabilities[i][c]), 0));
  assert.equal((losses as number[]).length, 2, 'one loss per example');
  (losses as number[]).forEach((loss, i) => assert.ok(Math.abs(loss - expected[i]) < 1e-6, `${loss} vs ${expected[i]}`));

  // Without smoothing it is tfjs's own categorical cross-entropy, value for value.
  const plain = tf.tidy(() => categoricalCrossentropy()(tf.tensor2d(labels), tf.tensor2d(probabilities)).arraySync());
  const named = tf.tidy(() => tfl.metrics.categoricalCrossentropy(tf.tensor2d(labels), tf.tensor2d(probabilities)).arraySync());
  assert.deepEqual(plain, named);
  assert.throws(() => categoricalCrossentropy({ labelSmoothing: 1.5 }), /label smoothing must be between 0 and 1, got 1.5/);
});

test('through a softmax, the gradient by the logits is softmax(z) - smoothed labels', () => {
  const smoothing = 0.2;
  const loss = categoricalCrossentropy({ labelSmoothing: smoothing });
  const logits = tf.tensor2d([[1.5, -0.5, 0.25], [0.1, 2, -1]]);
  const yTrue = tf.tensor2d(labels);
  const gradient = tf.grad((z: tf.Tensor) => tf.sum(loss(yTrue, tf.softmax(z))))(logits);
  const expected = tf.tidy(() => tf.sub(tf.softmax(logits), tf.add(tf.mul(yTrue, 1 - smoothing), smoothing / 3)));
  const [got, want] = [gradient.dataSync(), expected.dataSync()];
  got.forEach((value, i) => assert.ok(Math.abs(value - want[i]) < 1e-6, `entry ${i}: ${value} vs ${want[i]}`));
  tf.dispose([logits, yTrue, gradient, expected]);
});

test('model.compile takes it as the loss, and training reports it', async () => {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', kernelInitializer: 'zeros' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: categoricalCrossentropy({ labelSmoothing: 0.1 }) });
  const x = tf.tensor2d([[1, 0, 0, 1], [0, 1, 1, 0]]);
  const y = tf.tensor2d(labels);
  // Zero weights: uniform probabilities, so the loss is log(3) whatever the labels.
  const first = await model.trainOnBatch(x, y) as number;
  assert.ok(Math.abs(first - Math.log(3)) < 1e-6, `${first}`);
  const second = await model.trainOnBatch(x, y) as number;
  assert.ok(second < first, `the loss falls: ${first} -> ${second}`);
  tf.dispose([x, y]);
  model.dispose();
});
