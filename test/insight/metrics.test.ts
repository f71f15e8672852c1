import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  accuracy, confusionMatrix, correctIndices, evaluateSplits, misclassifiedIndices, parseHistoryCsv, perClassAccuracy,
  predictImageSet, topK,
} from '../../src/insight';
import { formatConfusionTable } from '../../src/insight/render';
import { randomImageSet, tinyClassifier } from './fixtures';

describe('accuracy, confusion matrix, top-k', () => {
  const labels = [0, 0, 1, 1, 2, 2, 2];
  const predicted = [0, 1, 1, 1, 0, 2, 2];

  it('counts rows as the truth and columns as the prediction', () => {
    assert.equal(accuracy(labels, predicted), 5 / 7);
    assert.deepEqual(confusionMatrix(labels, predicted, 3), [[1, 1, 0], [0, 2, 0], [1, 0, 2]]);
    assert.deepEqual(perClassAccuracy([[1, 1, 0], [0, 2, 0], [0, 0, 0]]), [0.5, 1, NaN]);
    assert.deepEqual(misclassifiedIndices(labels, predicted), [1, 4]);
    assert.deepEqual(correctIndices(labels, predicted), [0, 2, 3, 5, 6]);
  });

  it('ranks the most probable classes first', () => {
    assert.deepEqual(topK([0.1, 0.6, 0.05, 0.25], 3).map((r) => r.classIndex), [1, 3, 0]);
    assert.equal(topK([0.2, 0.8], 5).length, 2);
  });

  it('predicts in batches exactly what one big batch gives', () => {
    const model = tinyClassifier();
    const set = randomImageSet(11);
    const whole = predictImageSet(model, set, { batchSize: 64 });
    const batched = predictImageSet(model, set, { batchSize: 4 });
    assert.equal(whole.classCount, 3);
    whole.probabilities.forEach((p, i) => assert.ok(Math.abs(p - batched.probabilities[i]) < 1e-6));
    assert.deepEqual(whole.predicted, batched.predicted);
  });

  it('evaluates each split and breaks the last one down by class', () => {
    const model = tinyClassifier();
    const set = randomImageSet(12);
    const evaluation = evaluateSplits(model, [{ name: 'training', set }, { name: 'test', set }], ['a', 'b', 'c']);
    assert.deepEqual(evaluation.splits.map((s) => s.name), ['training', 'test']);
    assert.equal(evaluation.detailed, 'test');
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b), 12);
    assert.throws(() => evaluateSplits(model, [{ name: 'test', set }], ['a', 'b']), /scores 3 classes but the run names 2/);
  });
});

describe('terminal table', () => {
  it('aligns the confusion matrix under the class names', () => {
    const text = formatConfusionTable([[12, 3], [0, 145]], ['cat', 'automobile'], [0.8, 1]);
    const lines = text.split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /true \\ predicted\s+cat\s+automobile\s+accuracy/);
    // Numbers are right-aligned: each column ends at the same place on every line.
    const ends = (line: string) => [...line.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
    assert.deepEqual(ends(lines[1]).slice(-3), ends(lines[2]).slice(-3));
    assert.match(lines[1], /^cat\s+12\s+3\s+80\.00%$/);
  });
});

describe('history.csv', () => {
  it('reads the usual columns, blank cells and Keras spellings', () => {
    const history = parseHistoryCsv('epoch,loss,accuracy,val_loss,val_acc,lr\n1,2.1,0.3,1.9,0.35,0.001\n2,1.7,0.4,,0.41,0.001\n');
    assert.deepEqual(history.epochs, [1, 2]);
    assert.deepEqual(history.series.acc, [0.3, 0.4]);
    assert.ok(Number.isNaN(history.series.val_loss[1]));
    assert.deepEqual(history.series.lr, [0.001, 0.001]);
  });

  it('numbers the epochs itself when there is no epoch column', () => {
    const history = parseHistoryCsv('loss\n0.9\n0.7\n0.6\n');
    assert.deepEqual(history.epochs, [1, 2, 3]);
    assert.deepEqual(Object.keys(history.series), ['loss']);
    assert.deepEqual(parseHistoryCsv(''), { epochs: [], series: {} });
  });
});
