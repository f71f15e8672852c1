import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  computeNormalization, loadDataset, oneHot, Random, splitTrainValidation, type ImageSet, type LoadDatasetOptions,
} from '../../src/data';
import { ConvkitError } from '../../src/errors';
import { classColor, collectingLog, makeCifarArchive, makeCifarFiles, makeTarGz, solidImage, temporaryFolder, writeFiles } from './helpers';

function randomSet(count: number, seed: number): ImageSet {
  const random = Random.fromSeeds(seed);
  const images = Uint8Array.from({ length: count * 4 * 4 * 3 }, () => random.int(256));
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 3), count, height: 4, width: 4, channels: 3 };
}

describe('preprocessing', () => {
  it('per-channel statistics match a direct computation', () => {
    const set = randomSet(30, 1);
    const { mean, std } = computeNormalization(set);
    for (let c = 0; c < 3; c++) {
      const values = set.images.filter((_, i) => i % 3 === c).map((v) => v);
      const m = values.reduce((s, v) => s + v / 255, 0) / values.length;
      const s = Math.sqrt(values.reduce((acc, v) => acc + (v / 255 - m) ** 2, 0) / values.length);
      assert.ok(Math.abs(mean[c] - m) < 1e-9 && Math.abs(std[c] - s) < 1e-9, `channel ${c}`);
    }
  });

  it('one-hot encodes labels and refuses labels outside the classes', () => {
    assert.deepEqual([...oneHot(Int32Array.from([2, 0]), 3)], [0, 0, 1, 1, 0, 0]);
    assert.throws(() => oneHot(Int32Array.from([3]), 3), ConvkitError);
  });

  it('splits train/validation by seed: disjoint, complete, in file order, reproducible', () => {
    const set = randomSet(40, 2);
    // Tag each image by its index in its first byte, to trace where images went.
    for (let i = 0; i < set.count; i++) set.images[i * 48] = i;
    const tags = (part: ImageSet) => Array.from({ length: part.count }, (_, i) => part.images[i * 48]);
    const split = splitTrainValidation(set, 10, 7);
    const all = [...tags(split.train), ...tags(split.validation)].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 40 }, (_, i) => i));
    assert.deepEqual(tags(split.validation), [...tags(split.validation)].sort((a, b) => a - b));
    assert.deepEqual(tags(splitTrainValidation(set, 10, 7).validation), tags(split.validation));
    assert.notDeepEqual(tags(splitTrainValidation(set, 10, 8).validation), tags(split.validation));
    for (const part of [split.train, split.validation]) {
      tags(part).forEach((tag, i) => assert.equal(part.labels[i], set.labels[tag]));
    }
    assert.throws(() => splitTrainValidation(set, 40, 1), (e: Error) => e instanceof ConvkitError && /only 40 training images/.test(e.message));
  });
});

describe('loadDataset', () => {
  const work = temporaryFolder('dataset');
  const cifarFolder = join(work.path, 'cifar');
  const imagesArchive = join(work.path, 'shared', 'data', 'cifar10-jpeg-train.tar.gz');
  const cacheDir = join(work.path, 'cache');
  const quiet = () => collectingLog().log;
  before(async () => {
    writeFiles(cifarFolder, makeCifarFiles(20));
    const entries = [];
    for (const [label, name] of ['bird', 'cat', 'dog'].entries()) {
      for (let i = 0; i < 10; i++) entries.push({ path: `train/${name}/${i}.png`, data: await solidImage(classColor(label), 6, 6, 'png') });
    }
    mkdirSync(join(work.path, 'shared', 'data'), { recursive: true });
    writeFileSync(imagesArchive, makeTarGz(entries));
    mkdirSync(join(work.path, 'project'));
  });
  after(() => work.remove());

  it('loads CIFAR-10 binary with a seeded split, limit, default and explicit validation counts', async () => {
    const full = await loadDataset({ data: cifarFolder, log: quiet() });
    assert.equal(full.train.count + full.validation.count, 100);
    assert.equal(full.validation.count, 10, 'a tenth of 100 images when fewer than 50,000');
    assert.equal(full.test?.count, 20);
    assert.equal(full.classNames.length, 10);

    const limited = await loadDataset({ data: cifarFolder, limit: 30, val: 5, seed: 3, log: quiet() });
    assert.deepEqual([limited.train.count, limited.validation.count], [25, 5]);
    const again = await loadDataset({ data: cifarFolder, limit: 30, val: 5, seed: 3, log: quiet() });
    assert.deepEqual(again.validation.images, limited.validation.images);
    // The limit keeps the first 30 images in file order: their labels are the first 30 of data_batch_1.
    const labels = [...limited.train.labels, ...limited.validation.labels].sort();
    const first30 = Array.from({ length: 30 }, (_, r) => (r + 1) % 10).sort();
    assert.deepEqual(labels, first30);

    await assert.rejects(loadDataset({ data: cifarFolder, limit: 30, val: 30, log: quiet() }),
      (e: Error) => e instanceof ConvkitError && /cannot keep 30 validation images: only 30/.test(e.message));
    await assert.rejects(loadDataset({ data: cifarFolder, size: [64, 64], log: quiet() }), /always 32x32/);
    await assert.rejects(loadDataset({ data: cifarFolder, limit: 0 } as LoadDatasetOptions), /limit must be a whole number >= 1/);
    await assert.rejects(loadDataset({ data: join(work.path, 'missing'), log: quiet() }), /missing does not exist/);
  });

  it('tells an image archive from a CIFAR one and resizes images to the requested size', async () => {
    const data = await loadDataset({ data: imagesArchive, val: 3, size: [8, 8], cacheDir, log: quiet() });
    assert.deepEqual(data.classNames, ['bird', 'cat', 'dog']);
    assert.deepEqual([data.train.count, data.validation.count, data.train.height], [27, 3, 8]);
    assert.equal(data.test, undefined);
    const cifarArchive = join(work.path, 'cifar.tar.gz');
    writeFileSync(cifarArchive, makeCifarArchive(4));
    assert.equal((await loadDataset({ data: cifarArchive, val: 2, log: quiet() })).test?.count, 4);
  });

  it('without a path: CONVKIT_DATA, then the CIFAR-10 cache, then (offline) the shared JPEG set', async () => {
    const saved = { cwd: process.cwd(), url: process.env.CONVKIT_CIFAR10_URL };
    process.env.CONVKIT_CIFAR10_URL = 'http://127.0.0.1:1/cifar-10-binary.tar.gz';  // refused at once: "offline"
    process.chdir(join(work.path, 'project'));
    try {
      process.env.CONVKIT_DATA = cifarFolder;
      assert.equal((await loadDataset({ val: 1, cacheDir, log: quiet() })).source, cifarFolder);
      delete process.env.CONVKIT_DATA;

      const { lines, log } = collectingLog();
      const offline = await loadDataset({ val: 1, cacheDir, log });
      assert.equal(offline.source, imagesArchive);
      assert.ok(lines.some((line) => /CIFAR-10 unavailable/.test(line) && /ECONNREFUSED/.test(line)), lines.join('\n'));
      assert.ok(lines.some((line) => line.includes(`using the shared JPEG copy of the CIFAR-10 training split, ${imagesArchive}`)));

      const cifarCache = join(work.path, 'cifar-cache');
      mkdirSync(cifarCache);
      writeFileSync(join(cifarCache, 'cifar-10-binary.tar.gz'), makeCifarArchive(3));
      const cached = await loadDataset({ val: 1, cacheDir: cifarCache, log: quiet() });
      assert.equal(cached.source, join(cifarCache, 'cifar-10-binary.tar.gz'));
      assert.equal(cached.test?.count, 3);
    } finally {
      process.chdir(saved.cwd);
      delete process.env.CONVKIT_DATA;
      if (saved.url === undefined) delete process.env.CONVKIT_CIFAR10_URL;
      else process.env.CONVKIT_CIFAR10_URL = saved.url;
    }
  });
});
