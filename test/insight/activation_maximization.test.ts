import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { activationMaximization } from '../../src/insight';
import { correlation, setWeights } from './fixtures';

const size = 16;

/** A smooth pattern: a bright blob at (row, column) on a darker ring, zero mean. */
function blob(row: number, column: number): number[] {
  const values = Array.from({ length: size * size }, (_, i) => {
    const [y, x] = [Math.floor(i / size), i % size];
    const distance2 = (y - row) ** 2 + (x - column) ** 2;
    return Math.exp(-distance2 / 8) - 0.5 * Math.exp(-distance2 / 40);
  });
  const mean = values.reduce((a, b) => a + b) / values.length;
  return values.map((v) => v - mean);
}

/**
 * One conv filter as large as the image, so its response is the dot product of the image
 * with the filter: the input that maximises it is the filter itself. A second filter with a
 * hopeless bias never fires.
 */
function singleFilterModel(pattern: number[]): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ name: 'pattern', inputShape: [size, size, 1], filters: 2, kernelSize: size, activation: 'relu' }));
  const kernel = pattern.flatMap((value) => [value, -Math.abs(value)]);
  setWeights(model.getLayer('pattern'), kernel, [1, -1000]);
  return model;
}

describe('activation maximisation', () => {
  const pattern = blob(5, 10);
  const model = singleFilterModel(pattern);
  const result = activationMaximization(model, 'pattern');

  it('climbs to an image that looks like the filter', () => {
    assert.equal(result.filterCount, 2);
    const [first] = result.patterns;
    assert.equal(first.filter, 0);
    assert.ok(first.active);
    assert.deepEqual([first.image.height, first.image.width, first.image.channels], [size, size, 1]);
    const likeFilter = correlation(first.image.pixels, pattern);
    const likeOtherBlob = correlation(first.image.pixels, blob(11, 4));
    assert.ok(likeFilter > 0.8, `correlation with the filter: ${likeFilter}`);
    assert.ok(likeOtherBlob < 0.2, `correlation with a blob elsewhere: ${likeOtherBlob}`);
  });

  it('raises the filter\'s activation above where it started', () => {
    const greyStart = 1 + 0.5 * pattern.reduce((a, b) => a + b);
    assert.ok(result.patterns[0].activation > greyStart + 1, `final activation ${result.patterns[0].activation}`);
  });

  it('marks a filter that never activates instead of passing off noise as its pattern', () => {
    assert.equal(result.patterns[1].active, false);
  });

  it('repeats exactly from the same seed, differs from another, whatever other filters are asked for', () => {
    const again = activationMaximization(model, 'pattern');
    assert.deepEqual(again.patterns[0].image.pixels, result.patterns[0].image.pixels);
    const alone = activationMaximization(model, 'pattern', { filters: [0] });
    assert.ok(correlation(alone.patterns[0].image.pixels, result.patterns[0].image.pixels) > 0.99);
    const other = activationMaximization(model, 'pattern', { seed: 7 });
    assert.notDeepEqual(other.patterns[0].image.pixels, result.patterns[0].image.pixels);
  });

  it('turns away filters and layers that do not exist', () => {
    assert.throws(() => activationMaximization(model, 'pattern', { filters: [2] }), /has filters 0..1, not 2/);
    assert.throws(() => activationMaximization(model, 'conv_1'), /no layer "conv_1"; its layers are: pattern/);
  });
});
