import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';

import { renderPreview, type ImageSet } from '../../src/data';
import { main } from '../../src/cli';
import { collectingLog, makeCifarFiles, temporaryFolder, writeFiles } from './helpers';

/** 4x4 images, each a 2x2-pixel checkerboard of its own colour and black. */
function checkerboards(count: number): ImageSet {
  const images = new Uint8Array(count * 4 * 4 * 3);
  for (let n = 0; n < count; n++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    if ((x + y) % 2 === 0) images.set([40 * n + 20, 200 - 30 * n, 100], ((n * 4 + y) * 4 + x) * 3);
  }
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 2), count, height: 4, width: 4, channels: 3 };
}

async function decodePng(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('preview grid', () => {
  const set = checkerboards(4);

  it('upscales each pixel to a square (nearest neighbour) and writes class names under the images', async () => {
    const preview = renderPreview(set, ['cat', 'dog'], { count: 4, columns: 2, scale: 5, seed: 1, log: collectingLog().log });
    assert.ok(preview.font, 'this machine has DejaVu or another font');
    const { data, width, height } = await decodePng(preview.png);
    const gap = 4, label = 12;
    assert.equal(width, 2 * (4 * 5 + gap) + gap);
    assert.equal(height, 2 * (4 * 5 + gap + label + gap) + gap);
    for (let cell = 0; cell < 4; cell++) {
      const source = preview.indices[cell];
      const left = gap + (cell % 2) * (20 + gap), top = gap + Math.floor(cell / 2) * (20 + gap + label + gap);
      for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) {
        const from = ((source * 4 + Math.floor(y / 5)) * 4 + Math.floor(x / 5)) * 3;
        const at = ((top + y) * width + left + x) * 3;
        assert.deepEqual([...data.subarray(at, at + 3)], [...set.images.subarray(from, from + 3)], `cell ${cell} pixel ${x},${y}`);
      }
      // Some dark text pixels in the label strip below the image.
      let dark = 0;
      for (let y = top + 20 + 1; y < top + 20 + gap + label; y++) for (let x = left; x < left + 20; x++) if (data[(y * width + x) * 3] < 128) dark++;
      assert.ok(dark > 5, `cell ${cell} label`);
    }
  });

  it('shows augmentation and falls back when the requested font is missing', () => {
    const { lines, log } = collectingLog();
    const plain = renderPreview(set, ['cat', 'dog'], { count: 4, scale: 2, log });
    const augmented = renderPreview(set, ['cat', 'dog'], { count: 4, scale: 2, augment: { horizontalFlip: true, cutout: 2 }, seed: 3, log });
    assert.notDeepEqual(augmented.png, plain.png);
    const fallback = renderPreview(set, ['cat', 'dog'], { count: 2, fontPath: '/nonexistent/font.ttf', log });
    assert.ok(fallback.png.length > 0);
    assert.ok(lines.some((line) => /font \/nonexistent\/font\.ttf not found/.test(line)), lines.join('\n'));
  });
});

describe('convkit data (CLI)', () => {
  const work = temporaryFolder('cli');
  const cifar = join(work.path, 'cifar');
  let output: string[] = [];
  let errors: string[] = [];
  async function run(...argv: string[]): Promise<number> {
    output = [];
    errors = [];
    const saved = { log: console.log, error: console.error };
    console.log = (...parts: unknown[]) => { output.push(parts.join(' ')); };
    console.error = (...parts: unknown[]) => { errors.push(parts.join(' ')); };
    try {
      return await main(argv);
    } finally {
      console.log = saved.log;
      console.error = saved.error;
    }
  }
  before(() => writeFiles(cifar, makeCifarFiles(6)));
  after(() => work.remove());

  it('data cifar10 prints what it loaded, like Keras shapes', async () => {
    assert.equal(await run('data', 'cifar10', '--data', cifar, '--no-download'), 0, errors.join('\n'));
    assert.ok(output.includes('train:   images uint8 [30, 32, 32, 3], labels int32 [30]'), output.join('\n'));
    assert.ok(output.includes('test:    images uint8 [6, 32, 32, 3], labels int32 [6]'));
    assert.ok(output.some((line) => line.startsWith('classes: airplane, automobile')));
  });

  it('errors are one clear line with exit code 1', async () => {
    assert.equal(await run('data', 'cifar10', '--data', join(work.path, 'nothing-here')), 1);
    assert.ok(errors.some((line) => /^convkit: .*nothing-here does not exist/.test(line)), errors.join('\n'));
    assert.equal(await run('data', 'preview', '--data', cifar, '--augment', 'wobble'), 1);
    assert.ok(errors.some((line) => /unknown augmentation "wobble"/.test(line)));
    writeFileSync(join(work.path, 'bad.tar.gz'), 'garbage');
    assert.equal(await run('data', 'load', '--data', join(work.path, 'bad.tar.gz')), 1);
    assert.ok(errors.some((line) => /bad\.tar\.gz: not a readable \.tar\.gz archive/.test(line)), errors.join('\n'));
  });

  it('data load and data preview work on a local copy', async () => {
    assert.equal(await run('data', 'load', '--data', cifar, '--val', '4', '--limit', '20'), 0, errors.join('\n'));
    assert.ok(output.includes('train:      images uint8 [16, 32, 32, 3], labels int32 [16]'), output.join('\n'));
    assert.ok(output.includes('validation: images uint8 [4, 32, 32, 3], labels int32 [4]'));
    const out = join(work.path, 'grid.png');
    assert.equal(await run('data', 'preview', '--data', cifar, '--val', '2', '--count', '6', '--scale', '2', '--augment', 'tutorial,cutout=8', '--out', out), 0, errors.join('\n'));
    assert.ok(existsSync(out));
    const { width } = await decodePng(readFileSync(out));
    assert.equal(width, 3 * (64 + 4) + 4);
    assert.ok(output.some((line) => line.includes('cutout=8')));
  });
});
