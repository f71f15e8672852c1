import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';

import { featureMapChannel, featureMaps } from '../../src/insight';
import { seededValues, setWeights } from './fixtures';

/** A 'valid' 3x3 convolution, stride 1, written out in loops as the reference. */
function convolve(input: ArrayLike<number>, height: number, width: number, inChannels: number, kernel: number[],
  bias: number[], relu: boolean): { values: number[]; height: number; width: number } {
  const outChannels = bias.length;
  const [outHeight, outWidth] = [height - 2, width - 2];
  const values: number[] = [];
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      for (let out = 0; out < outChannels; out++) {
        let sum = bias[out];
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            for (let c = 0; c < inChannels; c++) {
              sum += input[((y + ky) * width + x + kx) * inChannels + c] * kernel[((ky * 3 + kx) * inChannels + c) * outChannels + out];
            }
          }
        }
        values.push(relu ? Math.max(0, sum) : sum);
      }
    }
  }
  return { values, height: outHeight, width: outWidth };
}

describe('feature maps', () => {
  // conv_1 has its ReLU built in; conv_2 is linear with a separate Activation layer, as Keras writes the tutorial's models.
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ name: 'conv_1', inputShape: [9, 8, 3], filters: 5, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.conv2d({ name: 'conv_2', filters: 4, kernelSize: 3 }));
  model.add(tfl.layers.activation({ name: 'relu_2', activation: 'relu' }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
  const kernel1 = seededValues(3 * 3 * 3 * 5, 1);
  const bias1 = seededValues(5, 2).map((v) => v * 0.2);
  const kernel2 = seededValues(3 * 3 * 5 * 4, 3);
  const bias2 = seededValues(4, 4).map((v) => v * 0.2);
  setWeights(model.getLayer('conv_1'), kernel1, bias1);
  setWeights(model.getLayer('conv_2'), kernel2, bias2);
  const image = { pixels: Uint8Array.from(seededValues(9 * 8 * 3, 5), (v) => Math.floor((v + 1) * 127.9)), height: 9, width: 8, channels: 3 };
  const input = Array.from(image.pixels, (p) => p / 255);
  const first = convolve(input, 9, 8, 3, kernel1, bias1, true);
  const second = convolve(first.values, first.height, first.width, 5, kernel2, bias2, true);
  const secondLinear = convolve(first.values, first.height, first.width, 5, kernel2, bias2, false);

  function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
    assert.equal(actual.length, expected.length, `${what}: length`);
    expected.forEach((value, i) => assert.ok(Math.abs(actual[i] - value) < 1e-4, `${what}[${i}]: ${actual[i]} vs ${value}`));
  }

  it('equal a direct forward computation for every conv layer, after its ReLU', () => {
    const maps = featureMaps(model, image);
    assert.deepEqual(maps.map((m) => [m.layerName, m.outputLayerName, m.height, m.width, m.channels]),
      [['conv_1', 'conv_1', 7, 6, 5], ['conv_2', 'relu_2', 5, 4, 4]]);
    assertClose(maps[0].values, first.values, 'conv_1');
    assertClose(maps[1].values, second.values, 'conv_2');
    assert.ok(second.values.some((v) => v === 0) && second.values.some((v) => v > 0), 'the check sees both sides of the ReLU');
  });

  it('can show the conv output before a separate activation layer', () => {
    const [maps] = featureMaps(model, image, { layerNames: ['conv_2'], afterActivation: false });
    assert.equal(maps.outputLayerName, 'conv_2');
    assertClose(maps.values, secondLinear.values, 'conv_2 before ReLU');
  });

  it('splits out one channel as its own map', () => {
    const [maps] = featureMaps(model, image);
    const channel = featureMapChannel(maps, 3);
    assertClose(channel, first.values.filter((_, i) => i % 5 === 3), 'channel 3');
  });

  it('names the valid layers when asked for one that does not exist', () => {
    assert.throws(() => featureMaps(model, image, { layerNames: ['conv_3'] }), /no layer "conv_3"; its layers are: conv_1, conv_2, relu_2/);
  });
});
