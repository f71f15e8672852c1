import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';

import {
  activationMaximization, featureMaps, gradCam, occlusion, saliency, smoothGrad,
} from '../../src/insight';
import {
  Figure, activationGrid, attributionComparison, colorAt, confusionHeatmap, drawImageScaled, featureMapGrid, inferno,
  misclassifiedGallery, occlusionFigure, predictionGallery, trainingCurves, yellowOrangeRed,
} from '../../src/insight/render';
import { brightSquareModel, imageWithSquare, tinyClassifier } from './fixtures';

async function decode(png: Buffer): Promise<{ width: number; height: number; pixels: Buffer; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, pixels: data, channels: info.channels };
}

async function assertDecodes(figure: Figure, minWidth: number, minHeight: number): Promise<void> {
  const decoded = await decode(figure.png);
  assert.deepEqual([decoded.width, decoded.height], [figure.width, figure.height], `${figure.name}: size`);
  assert.ok(figure.width >= minWidth && figure.height >= minHeight, `${figure.name}: ${figure.width}x${figure.height}`);
  assert.ok(figure.title.length > 0, `${figure.name}: title`);
}

describe('drawing', () => {
  it('scales images up with nearest-neighbour, so every source pixel is a sharp square', async () => {
    const image = { pixels: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 250, 250, 250]), height: 2, width: 2, channels: 3 };
    const canvas = createCanvas(64, 64);
    drawImageScaled(canvas.getContext('2d'), image, 0, 0, 64);
    const { pixels, channels } = await decode(canvas.toBuffer('image/png'));
    const at = (x: number, y: number) => Array.from(pixels.subarray((y * 64 + x) * channels, (y * 64 + x) * channels + 3));
    assert.deepEqual(at(0, 0), [255, 0, 0]);
    assert.deepEqual(at(31, 31), [255, 0, 0]);
    assert.deepEqual(at(32, 0), [0, 255, 0]);
    assert.deepEqual(at(31, 32), [0, 0, 255]);
    assert.deepEqual(at(63, 63), [250, 250, 250]);
  });

  it('colour maps run from their first to their last anchor', () => {
    assert.deepEqual(colorAt(yellowOrangeRed, 0), yellowOrangeRed.anchors[0]);
    assert.deepEqual(colorAt(yellowOrangeRed, 1), yellowOrangeRed.anchors[yellowOrangeRed.anchors.length - 1]);
    assert.deepEqual(colorAt(inferno, -3), inferno.anchors[0]);
    const dark = colorAt(inferno, 0.1).reduce((a, b) => a + b);
    const bright = colorAt(inferno, 0.9).reduce((a, b) => a + b);
    assert.ok(dark < bright, 'inferno brightens');
  });
});

describe('figures decode as PNG with the sizes they report', () => {
  const classNames = ['no square', 'square'];
  const model = brightSquareModel();
  const image = imageWithSquare(9, 3);

  it('predictions, mistakes and the confusion matrix', async () => {
    const items = [0, 1, 2, 3].map((i) => ({ image, label: i % 2, top: [{ classIndex: 1, probability: 0.9 }, { classIndex: 0, probability: 0.1 }] }));
    const gallery = predictionGallery(items, classNames, { columns: 2 });
    await assertDecodes(gallery, 2 * 128, 2 * 128);
    const wider = predictionGallery(items, classNames, { columns: 4 });
    assert.ok(wider.width > gallery.width && wider.height < gallery.height, 'columns trade height for width');
    await assertDecodes(misclassifiedGallery([{ image, label: 0, predicted: 1, probability: 0.7, trueProbability: 0.3 }], classNames), 128, 128);
    await assertDecodes(misclassifiedGallery([], classNames), 300, 60);
    await assertDecodes(confusionHeatmap([[5, 1], [2, 7]], classNames), 2 * 52, 2 * 52);
  });

  it('occlusion, and all explanations side by side', async () => {
    const map = occlusion(model, image);
    const examples = [{ image, map }, { image, map }, { image, map }];
    await assertDecodes(occlusionFigure(examples, classNames), 2 * 3 * 128, 2 * 128);
    const explained = { image, label: 1, occlusion: map, gradient: saliency(model, image), smoothGrad: smoothGrad(model, image, { samples: 4 }),
      gradCam: gradCam(model, image) };
    await assertDecodes(attributionComparison([explained, explained], classNames), 5 * 128, 2 * 128);
  });

  it('activation grids and feature-map grids', async () => {
    const classifier = tinyClassifier();
    const grid = activationGrid(activationMaximization(classifier, 'conv_a', { steps: 3 }));
    await assertDecodes(grid, 4 * 96, 96);
    const classes = activationGrid(activationMaximization(classifier, 'scores', { steps: 3 }), { classNames: ['a', 'b', 'c'] });
    await assertDecodes(classes, 3 * 96, 96);
    const input = { pixels: new Uint8Array(16 * 16 * 3).fill(90), height: 16, width: 16, channels: 3 };
    for (const maps of featureMaps(classifier, input)) await assertDecodes(featureMapGrid(maps, input), 4 * 64, 128);
  });

  it('training curves, with columns missing or none at all', async () => {
    const full = trainingCurves({ epochs: [1, 2, 3], series: { loss: [2, 1.5, 1.2], val_loss: [2.1, 1.7, 1.6], acc: [0.3, 0.5, 0.6],
      val_acc: [0.28, 0.45, 0.5], lr: [0.001, 0.001, 0.0005] } });
    await assertDecodes(full, 3 * 300, 250);
    const lossOnly = trainingCurves({ epochs: [1, 2], series: { loss: [1, 0.5] } });
    await assertDecodes(lossOnly, 300, 250);
    assert.ok(lossOnly.width < full.width, 'one panel when only the loss is known');
    await assertDecodes(trainingCurves({ epochs: [], series: {} }), 300, 100);
  });
});
