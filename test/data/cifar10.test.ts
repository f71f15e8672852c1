import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cifar10 } from '../../src/data';
import { parseBatch, RECORD_BYTES } from '../../src/data/cifar10';
import { ConvkitError } from '../../src/errors';
import {
  BATCH_NAMES, CLASS_NAMES, collectingLog, makeBatch, makeCifarArchive, makeCifarFiles, makeTarGz, temporaryFolder, writeFiles,
} from './helpers';

const RECORDS = 7;

describe('CIFAR-10 binary batches', () => {
  it('turns label + R, G, B planes into NHWC bytes', () => {
    const record = Buffer.alloc(RECORD_BYTES);
    record[0] = 3;
    // Pixel (row 1, column 2) gets R=11, G=22, B=33; everything else stays 0.
    const pixel = 1 * 32 + 2;
    record[1 + pixel] = 11;
    record[1 + 1024 + pixel] = 22;
    record[1 + 2048 + pixel] = 33;
    const set = parseBatch(record, 'one.bin', 10);
    assert.equal(set.count, 1);
    assert.deepEqual([set.height, set.width, set.channels], [32, 32, 3]);
    assert.equal(set.labels[0], 3);
    assert.deepEqual([...set.images.subarray(pixel * 3, pixel * 3 + 3)], [11, 22, 33]);
    assert.equal(set.images.reduce((sum, v) => sum + v, 0), 66);
  });

  it('rejects truncated files and labels outside the class list, naming the file', () => {
    const batch = makeBatch(3, 1);
    assert.throws(() => parseBatch(batch.subarray(0, batch.length - 5), 'short.bin', 10), (e: Error) =>
      e instanceof ConvkitError && /short\.bin/.test(e.message) && /truncated/.test(e.message));
    assert.throws(() => parseBatch(new Uint8Array(0), 'empty.bin', 10), ConvkitError);
    const badLabel = Buffer.from(batch);
    badLabel[RECORD_BYTES] = 10;
    assert.throws(() => parseBatch(badLabel, 'labels.bin', 10), (e: Error) =>
      e instanceof ConvkitError && /labels\.bin/.test(e.message) && /record 1 has label 10/.test(e.message));
  });
});

describe('cifar10.loadData from local copies', () => {
  const folder = temporaryFolder('cifar');
  const files = makeCifarFiles(RECORDS);
  const archive = join(folder.path, 'cifar-10-binary.tar.gz');
  before(() => {
    writeFiles(join(folder.path, 'tree', 'cifar-10-batches-bin'), files);
    writeFileSync(archive, makeCifarArchive(RECORDS));
  });
  after(() => folder.remove());

  const expectedTrainLabels = BATCH_NAMES.slice(0, 5).flatMap((_, b) => Array.from({ length: RECORDS }, (_, r) => (r + b + 1) % 10));

  it('reads the batches folder, its parent and the archive identically', async () => {
    const quiet = collectingLog().log;
    const fromFolder = await cifar10.loadData({ path: join(folder.path, 'tree', 'cifar-10-batches-bin'), log: quiet });
    const fromParent = await cifar10.loadData({ path: join(folder.path, 'tree'), log: quiet });
    const fromArchive = await cifar10.loadData({ path: archive, log: quiet });
    for (const data of [fromFolder, fromParent, fromArchive]) {
      assert.equal(data.train.count, 5 * RECORDS);
      assert.equal(data.test.count, RECORDS);
      assert.deepEqual(data.classNames, CLASS_NAMES);
      assert.deepEqual([...data.train.labels], expectedTrainLabels);
      assert.deepEqual(data.train.images, fromFolder.train.images);
      assert.deepEqual(data.test.images, fromFolder.test.images);
    }
    // Spot-check one pixel against the raw record: test batch, record 2, pixel 100, green.
    const raw = files.get('test_batch.bin')!;
    assert.equal(fromArchive.test.images[2 * 3072 + 100 * 3 + 1], raw[2 * RECORD_BYTES + 1 + 1024 + 100]);
  });

  it('takes the path from CONVKIT_DATA when no option is given', async () => {
    process.env.CONVKIT_DATA = archive;
    try {
      const data = await cifar10.loadData({ log: collectingLog().log, download: false });
      assert.equal(data.source, archive);
    } finally {
      delete process.env.CONVKIT_DATA;
    }
  });

  it('names the problem: missing path, missing batch, bad label, corrupt archive, wrong content', async () => {
    const quiet = collectingLog().log;
    await assert.rejects(cifar10.loadData({ path: join(folder.path, 'nope'), log: quiet }),
      (e: Error) => e instanceof ConvkitError && /nope does not exist/.test(e.message));

    const partial = join(folder.path, 'partial');
    writeFiles(partial, new Map([...files].filter(([name]) => name !== 'data_batch_3.bin')));
    await assert.rejects(cifar10.loadData({ path: partial, log: quiet }),
      (e: Error) => e instanceof ConvkitError && /missing data_batch_3\.bin/.test(e.message));

    const mislabelled = join(folder.path, 'mislabelled');
    writeFiles(mislabelled, new Map([...files, ['batches.meta.txt', Buffer.from('cat\ndog\n')]]));
    await assert.rejects(cifar10.loadData({ path: mislabelled, log: quiet }),
      (e: Error) => e instanceof ConvkitError && /data_batch_1\.bin/.test(e.message) && /outside the class list \(2 classes\)/.test(e.message));

    const truncatedArchive = join(folder.path, 'truncated.tar.gz');
    const good = makeCifarArchive(RECORDS);
    writeFileSync(truncatedArchive, good.subarray(0, good.length >> 1));
    await assert.rejects(cifar10.loadData({ path: truncatedArchive, log: quiet }),
      (e: Error) => e instanceof ConvkitError && e.message.includes(truncatedArchive));

    const shortBatch = join(folder.path, 'short-batch.tar.gz');
    writeFileSync(shortBatch, makeTarGz([...files].map(([name, data]) =>
      ({ path: `cifar-10-batches-bin/${name}`, data: name === 'test_batch.bin' ? data.subarray(0, 5000) : data }))));
    await assert.rejects(cifar10.loadData({ path: shortBatch, log: quiet }),
      (e: Error) => e instanceof ConvkitError && /test_batch\.bin: truncated or corrupt/.test(e.message));

    const notCifar = join(folder.path, 'images.tar.gz');
    writeFileSync(notCifar, makeTarGz([{ path: 'cat/1.png', data: Buffer.from('x') }]));
    await assert.rejects(cifar10.loadData({ path: notCifar, log: quiet }),
      (e: Error) => e instanceof ConvkitError && /not a complete CIFAR-10 binary dataset/.test(e.message));
  });

  it('refuses to guess when there is no copy and downloading is off', async () => {
    const cache = temporaryFolder('cifar-cache');
    try {
      await assert.rejects(cifar10.loadData({ cacheDir: cache.path, download: false, log: collectingLog().log }),
        (e: Error) => e instanceof ConvkitError && e.message.includes(cache.path) && /CONVKIT_DATA/.test(e.message));
    } finally {
      cache.remove();
    }
  });
});
