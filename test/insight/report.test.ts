import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';

import { ConvkitError } from '../../src/errors';
import { parseHistoryCsv, writeReport } from '../../src/insight';
import { randomImageSet, tinyClassifier } from './fixtures';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'convkit-report-'));
after(() => fs.rmSync(folder, { recursive: true, force: true }));

const quick = { steps: 3, filtersPerLayer: 4 };
const inputs = {
  model: tinyClassifier(),
  classNames: ['red', 'green', 'blue'],
  images: randomImageSet(14),
  imagesName: 'test',
  trainImages: randomImageSet(6),
  history: parseHistoryCsv('epoch,loss,acc,val_loss,val_acc\n1,1.1,0.4,1.0,0.45\n2,0.9,0.5,0.95,0.5\n'),
  title: 'tiny run',
};

describe('report', () => {
  const outDir = path.join(folder, 'all');
  const result = writeReport(inputs, { outDir, imageCount: 5, ...quick });
  const html = fs.readFileSync(result.htmlFile, 'utf8');

  it('has every section, in order, with its pictures', () => {
    const ids = [...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1]);
    assert.deepEqual(ids, ['results', 'training', 'importance', 'saliency', 'activations', 'outputs']);
    for (const name of ['predictions', 'misclassified', 'confusion_matrix', 'training_curves', 'occlusion', 'attribution',
      'activations_conv_a', 'activations_conv_b', 'activations_hidden', 'activations_scores', 'feature_maps_conv_a', 'feature_maps_conv_b']) {
      assert.match(html, new RegExp(`<figure id="fig-${name}">`), name);
    }
    assert.match(html, /<caption>Accuracy per class \(test images\)<\/caption>/);
    assert.match(html, /<td>green<\/td>/);
  });

  it('is self-contained: every picture is embedded and nothing is fetched', () => {
    const sources = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(sources.length, result.pngFiles.length);
    assert.ok(sources.every((source) => source.startsWith('data:image/png;base64,')));
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
    assert.doesNotMatch(html, /<script|<link /);
  });

  it('writes each figure as a PNG next to report.html', async () => {
    assert.equal(result.pngFiles.length, 12);
    for (const file of result.pngFiles) {
      const { width, height, format } = await sharp(file).metadata();
      assert.equal(format, 'png');
      assert.ok(width! > 200 && height! > 80, `${file}: ${width}x${height}`);
    }
  });

  it('draws one part alone when asked', () => {
    const only = writeReport(inputs, { outDir: path.join(folder, 'importance'), parts: ['importance'], imageCount: 3 });
    const text = fs.readFileSync(only.htmlFile, 'utf8');
    assert.deepEqual([...text.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1]), ['importance']);
    assert.deepEqual(only.pngFiles.map((file) => path.basename(file)), ['occlusion.png']);
  });

  it('says so when the run has no history.csv', () => {
    const noHistory = writeReport({ ...inputs, history: undefined }, { outDir: path.join(folder, 'plain'), parts: ['results'], imageCount: 2 });
    assert.match(fs.readFileSync(noHistory.htmlFile, 'utf8'), /has no history\.csv/);
  });

  it('refuses more images than the data has, and unknown parts', () => {
    assert.throws(() => writeReport(inputs, { outDir: path.join(folder, 'x'), imageCount: 15 }),
      (error: Error) => error instanceof ConvkitError && /asked for 15 images but the test data has only 14/.test(error.message));
    assert.throws(() => writeReport(inputs, { outDir: path.join(folder, 'x'), parts: ['everything' as 'results'] }), /unknown report part/);
  });
});
