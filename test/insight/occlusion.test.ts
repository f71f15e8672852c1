import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConvkitError } from '../../src/errors';
import { occlusion, predictPixels } from '../../src/insight';
import { SQUARE_IMAGE_SIZE, argmax, brightSquareModel, imageWithSquare } from './fixtures';

const model = brightSquareModel();
const size = SQUARE_IMAGE_SIZE;

function assertPeakInSquare(pixelDrops: Float32Array, top: number, left: number, side = 4): void {
  const peak = argmax(pixelDrops);
  const [y, x] = [Math.floor(peak / size), peak % size];
  assert.ok(y >= top && y < top + side && x >= left && x < left + side,
    `peak at (${y}, ${x}), square at rows ${top}..${top + side - 1}, columns ${left}..${left + side - 1}`);
}

describe('occlusion', () => {
  it('the model used here says "square" for the planted square and "none" without it', () => {
    const withSquare = predictPixels(model, imageWithSquare(9, 3).pixels, 1);
    const without = predictPixels(model, imageWithSquare(0, 0, 0).pixels, 1);
    assert.equal(withSquare.predicted[0], 1);
    assert.ok(withSquare.probabilities[1] > 0.85, `P(square) = ${withSquare.probabilities[1]}`);
    assert.equal(without.predicted[0], 0);
  });

  for (const [top, left] of [[9, 3], [2, 10]]) {
    it(`the heat map peaks on the bright square at (${top}, ${left}) and stays cool far from it`, () => {
      const map = occlusion(model, imageWithSquare(top, left));
      assert.equal(map.classIndex, 1);
      assert.deepEqual([map.rowStarts.length, map.columnStarts.length], [size - 4, size - 4]);
      assertPeakInSquare(map.pixelDrops, top, left);
      const peak = Math.max(...map.pixelDrops);
      assert.ok(peak > 0.5, `peak drop ${peak}`);
      const far: number[] = [];
      map.pixelDrops.forEach((drop, i) => {
        const [y, x] = [Math.floor(i / size), i % size];
        if (Math.max(Math.abs(y - top - 1.5), Math.abs(x - left - 1.5)) > 8) far.push(Math.abs(drop));
      });
      assert.ok(far.length > 0 && Math.max(...far) < 0.05 * peak, `largest drop far away: ${Math.max(...far)}`);
    });
  }

  it('a stride covers the image with fewer positions, edges included, and still finds the square', () => {
    const map = occlusion(model, imageWithSquare(9, 3), { stride: 3 });
    assert.deepEqual(map.rowStarts, [0, 3, 6, 9, 11]);
    assert.equal(map.drops.length, 25);
    assertPeakInSquare(map.pixelDrops, 9, 3);
  });

  it('sends all 28x28 patch positions of a 32x32 image through the model in one predict call', () => {
    const large = brightSquareModel(32);
    let calls = 0;
    const counted = Object.create(large) as typeof large;
    counted.predict = (...args: Parameters<typeof large.predict>) => {
      calls++;
      return large.predict(...args);
    };
    const map = occlusion(counted, imageWithSquare(20, 6, 4, 32));
    assert.equal(calls, 1);
    assert.deepEqual([map.rowStarts.length, map.columnStarts.length, map.pixelDrops.length], [28, 28, 32 * 32]);
  });

  it('explains the class it is asked about', () => {
    const map = occlusion(model, imageWithSquare(9, 3), { classIndex: 0 });
    assert.equal(map.classIndex, 0);
    assert.ok(Math.min(...map.pixelDrops) < -0.3, 'covering the square raises P(no square)');
  });

  it('rejects a patch larger than the image, a wrong image size and an unknown class', () => {
    assert.throws(() => occlusion(model, imageWithSquare(9, 3), { patchSize: 17 }), ConvkitError);
    assert.throws(() => occlusion(model, imageWithSquare(1, 1, 2, 8)), /takes 16x16x3 images, got 8x8x3/);
    assert.throws(() => occlusion(model, imageWithSquare(9, 3), { classIndex: 5 }), /class 5 does not exist/);
  });
});
