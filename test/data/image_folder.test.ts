import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';

import { loadImageFolder, type ImageSet } from '../../src/data';
import { imageCachePath } from '../../src/data/image_folder';
import { ConvkitError } from '../../src/errors';
import { classColor, collectingLog, makeTarGz, solidImage, temporaryFolder, writeFiles, type TarEntry } from './helpers';

/** Mean colour of image i of a set. */
function meanColor(set: ImageSet, i: number): number[] {
  const size = set.height * set.width;
  const sums = [0, 0, 0];
  for (let p = 0; p < size; p++) for (let c = 0; c < 3; c++) sums[c] += set.images[(i * size + p) * 3 + c];
  return sums.map((sum) => sum / size);
}

function assertColorsMatchLabels(set: ImageSet): void {
  for (let i = 0; i < set.count; i++) {
    const expected = classColor(set.labels[i]);
    meanColor(set, i).forEach((value, c) => assert.ok(Math.abs(value - expected[c]) < 12, `image ${i} channel ${c}: ${value} vs ${expected[c]}`));
  }
}

/** cat/dog/zebra under a train/ wrapper, mixed formats and sizes, one corrupt image, two non-images. */
async function makeTree(): Promise<Map<string, Buffer>> {
  const [cat, dog, zebra] = [0, 1, 2].map(classColor);
  return new Map<string, Buffer>([
    ['README.txt', Buffer.from('not an image')],
    ['train/cat/a.png', await solidImage(cat, 40, 30, 'png')],
    ['train/cat/b.jpg', await solidImage(cat, 10, 10, 'jpeg')],
    ['train/cat/nested/c.png', await solidImage(cat, 32, 32, 'png')],
    ['train/dog/a.jpg', await solidImage(dog, 64, 48, 'jpeg')],
    ['train/dog/b.png', await solidImage(dog, 7, 9, 'png')],
    ['train/dog/broken.jpg', (await solidImage(dog, 20, 20, 'jpeg')).subarray(0, 60)],
    ['train/dog/notes.txt', Buffer.from('hello')],
    ['train/zebra/x.png', await solidImage(zebra, 16, 16, 'png')],
  ]);
}

function tarEntries(files: Map<string, Buffer>, folders: string[] = []): TarEntry[] {
  return [...folders.map((path) => ({ path: `${path}/` })), ...[...files].map(([path, data]) => ({ path, data }))];
}

describe('image folder loader', () => {
  const work = temporaryFolder('images');
  const cacheDir = join(work.path, 'cache');
  let tree: Map<string, Buffer>;
  before(async () => {
    tree = await makeTree();
    writeFiles(join(work.path, 'folder'), tree);
    writeFileSync(join(work.path, 'tree.tar.gz'), makeTarGz(tarEntries(tree, ['train', 'train/cat', 'train/dog', 'train/zebra'])));
  });
  after(() => work.remove());

  it('loads a folder: sorted class names, resized images, round-robin order, corrupt and non-image files skipped', async () => {
    const { lines, log } = collectingLog();
    const data = await loadImageFolder(join(work.path, 'folder'), { cacheDir, log });
    assert.deepEqual(data.classNames, ['cat', 'dog', 'zebra']);
    assert.deepEqual([data.set.height, data.set.width, data.set.channels], [32, 32, 3]);
    assert.deepEqual([...data.set.labels], [0, 1, 2, 0, 1, 0]);
    assert.deepEqual(data.skipped, { corrupt: 1, nonImage: 2 });
    assertColorsMatchLabels(data.set);
    assert.ok(lines.some((line) => /skipped 1 unreadable images/.test(line) && line.includes('broken.jpg')), lines.join('\n'));
    assert.ok(lines.some((line) => /ignored 2 files/.test(line) && line.includes('notes.txt')), lines.join('\n'));
    assert.equal(data.fromCache, false);
  });

  it('reads the same tree from a .tar.gz without extracting it, with the same result', async () => {
    const fromFolder = await loadImageFolder(join(work.path, 'folder'), { cache: false, log: collectingLog().log });
    const fromArchive = await loadImageFolder(join(work.path, 'tree.tar.gz'), { cache: false, log: collectingLog().log });
    assert.deepEqual(fromArchive.classNames, fromFolder.classNames);
    assert.deepEqual(fromArchive.set.labels, fromFolder.set.labels);
    assert.deepEqual(fromArchive.set.images, fromFolder.set.images);
    assert.deepEqual(fromArchive.skipped, fromFolder.skipped);
  });

  it('caches decoded images and notices when the source changes', async () => {
    const archive = join(work.path, 'tree.tar.gz');
    const first = await loadImageFolder(archive, { cacheDir, size: [8, 12], log: collectingLog().log });
    const second = await loadImageFolder(archive, { cacheDir, size: [8, 12], log: collectingLog().log });
    assert.equal(first.fromCache, false);
    assert.equal(second.fromCache, true);
    assert.deepEqual([second.set.height, second.set.width], [8, 12]);
    assert.deepEqual(second.set.images, first.set.images);
    assert.deepEqual(second.set.labels, first.set.labels);
    assert.deepEqual(second.classNames, first.classNames);
    assert.deepEqual(second.skipped, { corrupt: 1, nonImage: 2 });
    // A damaged cache file is rebuilt, not trusted.
    const cacheFile = imageCachePath(cacheDir, archive, { height: 8, width: 12, channels: 3 });
    const intact = readFileSync(cacheFile);
    writeFileSync(cacheFile, intact.subarray(0, intact.length - 10));
    const { lines, log } = collectingLog();
    const rebuilt = await loadImageFolder(archive, { cacheDir, size: [8, 12], log });
    assert.equal(rebuilt.fromCache, false);
    assert.deepEqual(rebuilt.set.images, first.set.images);
    assert.ok(lines.some((line) => /cache .* is truncated; rebuilding it|has the wrong size/.test(line)), lines.join('\n'));
    // Another size is another cache entry, not a stale hit.
    assert.equal((await loadImageFolder(archive, { cacheDir, size: [16, 16], log: collectingLog().log })).set.width, 16);
    utimesSync(archive, new Date(), new Date(Date.now() + 5000));
    assert.equal((await loadImageFolder(archive, { cacheDir, size: [8, 12], log: collectingLog().log })).fromCache, false);

    const folder = join(work.path, 'folder');
    await loadImageFolder(folder, { cacheDir, log: collectingLog().log });
    assert.equal((await loadImageFolder(folder, { cacheDir, log: collectingLog().log })).fromCache, true);
    writeFileSync(join(folder, 'train', 'zebra', 'y.png'), await solidImage(classColor(2), 5, 5, 'png'));
    const changed = await loadImageFolder(folder, { cacheDir, log: collectingLog().log });
    assert.equal(changed.fromCache, false);
    assert.equal(changed.set.count, 7);
  });

  it('converts grey and transparent images to RGB', async () => {
    const grey = await sharp(Buffer.alloc(6 * 6, 200), { raw: { width: 6, height: 6, channels: 1 } }).png().toBuffer();
    const rgba = await sharp(Buffer.alloc(6 * 6 * 4, 90), { raw: { width: 6, height: 6, channels: 4 } }).png().toBuffer();
    const path = join(work.path, 'modes');
    writeFiles(path, new Map([['a/grey.png', grey], ['b/rgba.png', rgba]]));
    const data = await loadImageFolder(path, { cache: false, size: [4, 4], log: collectingLog().log });
    assert.equal(data.set.channels, 3);
    assert.deepEqual(meanColor(data.set, 0).map(Math.round), [200, 200, 200]);
    // Resizing premultiplies by alpha, which costs a few levels of rounding.
    meanColor(data.set, 1).forEach((value) => assert.ok(Math.abs(value - 90) <= 4, `${value}`));
  });

  it('ignores archive entries that would escape the folder', async () => {
    const image = await solidImage(classColor(0), 4, 4, 'png');
    const path = join(work.path, 'hostile.tar.gz');
    writeFileSync(path, makeTarGz([
      { path: '../evil/x.png', data: image }, { path: '/abs/y.png', data: image },
      { path: 'a/1.png', data: image }, { path: 'b/1.png', data: image }, { path: 'b/../../c/2.png', data: image },
    ]));
    const { lines, log } = collectingLog();
    const data = await loadImageFolder(path, { cache: false, log });
    assert.deepEqual(data.classNames, ['a', 'b']);
    assert.equal(data.set.count, 2);
    assert.ok(lines.some((line) => /ignored 3 entries/.test(line)), lines.join('\n'));
  });

  it('gives clear errors naming the path for unusable input', async () => {
    const image = await solidImage(classColor(0), 4, 4, 'png');
    const quiet = { cache: false, log: collectingLog().log };
    const expectError = async (path: string, pattern: RegExp) => {
      await assert.rejects(loadImageFolder(path, quiet), (e: Error) => {
        assert.ok(e instanceof ConvkitError, `${e}`);
        assert.match(e.message, pattern);
        return true;
      });
    };
    await expectError(join(work.path, 'absent'), /absent does not exist/);

    const notArchive = join(work.path, 'list.txt');
    writeFileSync(notArchive, 'x');
    await expectError(notArchive, /list\.txt: expected a folder/);

    const emptyClass = join(work.path, 'empty-class');
    writeFiles(emptyClass, new Map([['cat/1.png', image], ['dog/1.png', image]]));
    writeFiles(emptyClass, new Map([['empty/.keep', Buffer.alloc(0)]]));
    await expectError(emptyClass, /empty-class: class folder empty holds no readable images/);
    const emptyClassArchive = join(work.path, 'empty-class.tar.gz');
    writeFileSync(emptyClassArchive, makeTarGz([{ path: 'cat/1.png', data: image }, { path: 'dog/1.png', data: image }, { path: 'fish/' }]));
    await expectError(emptyClassArchive, /class folder fish holds no readable images/);

    const allBroken = join(work.path, 'all-broken');
    writeFiles(allBroken, new Map([['cat/1.png', image], ['dog/1.png', Buffer.from('not a png')]]));
    await expectError(allBroken, /class folder dog holds no readable images/);

    const oneClass = join(work.path, 'one-class');
    writeFiles(oneClass, new Map([['data/cat/1.png', image], ['data/cat/2.png', image]]));
    await expectError(oneClass, /one-class\/data: only one class folder \(cat\)/);

    const flat = join(work.path, 'flat');
    writeFiles(flat, new Map([['1.png', image], ['2.png', image]]));
    await expectError(flat, /flat: images must sit in one folder per class/);

    const noImages = join(work.path, 'no-images');
    writeFiles(noImages, new Map([['cat/a.txt', Buffer.from('a')], ['dog/b.csv', Buffer.from('b')]]));
    await expectError(noImages, /no-images: no readable .* images found/);

    const corruptArchive = join(work.path, 'corrupt.tar.gz');
    writeFileSync(corruptArchive, Buffer.from('this is not gzip at all, just text'));
    await expectError(corruptArchive, /corrupt\.tar\.gz: not a readable \.tar\.gz archive/);

    await assert.rejects(loadImageFolder(join(work.path, 'folder'), { ...quiet, size: [0, 10] }), /image size must be/);
  });
});
