import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp, { type JpegOptions } from 'sharp';

import { createFastJpegDecoder, hasIccProfile, looksLikeJpeg, type FastJpegDecode } from '../../src/data/jpeg_decoder';

/** A busy picture (noise over gradients), so that every DCT coefficient and both chroma planes matter. */
function busyPixels(width: number, height: number, seed: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed;
  for (let i = 0; i < width * height; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const x = i % width, y = Math.floor(i / width);
    pixels[i * 3] = (x * 255 / width + (state & 63)) & 255;
    pixels[i * 3 + 1] = (y * 255 / height + ((state >> 8) & 127)) & 255;
    pixels[i * 3 + 2] = (state >> 16) & 255;
  }
  return pixels;
}

async function jpeg(width: number, height: number, seed: number, options: JpegOptions = {}): Promise<Buffer> {
  return sharp(busyPixels(width, height, seed), { raw: { width, height, channels: 3 } }).jpeg({ quality: 75, ...options }).toBuffer();
}

/** What the image loader's sharp path makes of the bytes. */
async function sharpRgb(data: Buffer): Promise<Buffer> {
  return sharp(data).removeAlpha().toColourspace('srgb').raw().toBuffer();
}

/** After an error the decoder leaves files to sharp until its fresh instance is ready (a few ms). */
async function decodeOnceReady(decode: FastJpegDecode, data: Buffer): Promise<Buffer | undefined> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const result = await decode(data, 32, 32);
    if (result !== undefined) return result;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

describe('fast JPEG decoder', () => {
  let decode: FastJpegDecode;
  before(async () => {
    const created = await createFastJpegDecoder();
    assert.ok(created, 'the WebAssembly JPEG codec loads');
    decode = created;
  });

  it('gives exactly sharp\'s pixels for plain JPEGs: odd sizes, 4:2:0 and 4:4:4 chroma, progressive, grey', async () => {
    const cases: [number, number, JpegOptions][] = [
      [32, 32, {}], [31, 17, {}], [1, 1, {}], [33, 40, { chromaSubsampling: '4:4:4' }], [32, 32, { progressive: true }],
      [24, 9, { quality: 30 }],
    ];
    for (const [index, [width, height, options]] of cases.entries()) {
      const bytes = await jpeg(width, height, index + 1, options);
      const fast = await decode(bytes, width, height);
      assert.ok(fast, `${width}x${height} ${JSON.stringify(options)} takes the fast path`);
      assert.deepEqual(fast, await sharpRgb(bytes), `${width}x${height} ${JSON.stringify(options)}`);
    }
    const grey = await sharp(busyPixels(20, 20, 9), { raw: { width: 20, height: 20, channels: 3 } }).greyscale().jpeg().toBuffer();
    assert.deepEqual(await decode(grey, 20, 20), await sharpRgb(grey), 'a greyscale JPEG becomes three equal channels');
  });

  it('leaves everything unusual to sharp: other sizes, other formats, ICC profiles, truncated and broken files', async () => {
    const good = await jpeg(32, 32, 3);
    assert.equal(await decode(good, 16, 16), undefined, 'another size: sharp resizes');
    const png = await sharp(busyPixels(32, 32, 3), { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
    assert.equal(looksLikeJpeg(png), false);
    assert.equal(await decode(png, 32, 32), undefined, 'a PNG');
    const withProfile = await sharp(good).withIccProfile('p3').jpeg().toBuffer();
    assert.equal(hasIccProfile(withProfile), true);
    assert.equal(hasIccProfile(good), false);
    assert.equal(await decode(withProfile, 32, 32), undefined, 'an ICC profile: sharp converts the colours');
    // libjpeg only warns on a truncated file (and fills in grey): still sharp's decision.
    assert.equal(await decode(good.subarray(0, Math.floor(good.length * 0.7)), 32, 32), undefined, 'truncated');
    const broken = Buffer.from(good);
    broken.fill(0x55, 2, 40);  // destroys the segment markers: libjpeg stops with an error
    assert.equal(await decode(broken, 32, 32), undefined, 'broken headers');
    assert.deepEqual(await decodeOnceReady(decode, good), await sharpRgb(good), 'decoding goes on after an error');
  });

  it('decodes good files right when broken ones arrive among them', async () => {
    const good = await jpeg(32, 32, 5), expected = await sharpRgb(good);
    const broken = Buffer.from(good);
    broken.fill(0x55, 2, 40);
    const files = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? broken : good));
    const results = await Promise.all(files.map((file) => decode(file, 32, 32)));
    results.forEach((result, i) => {
      if (files[i] === broken) assert.equal(result, undefined, `file ${i} is broken`);
      else if (result !== undefined) assert.deepEqual(result, expected, `file ${i}`);  // undefined: sharp's turn
    });
    assert.deepEqual(await decodeOnceReady(decode, good), expected);
  });
});
