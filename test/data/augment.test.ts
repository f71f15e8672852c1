import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AIRBENCH_AUGMENTATION, alternatingFlipState, Augmenter, BatchStream, computeNormalization, describeAugment, IDENTITY_WARP,
  parseAugmentSpec, Random, scaleOnlyNormalization, toFloat32, TUTORIAL_AUGMENTATION, type AugmentOptions, type ImageSet,
  type WarpParams,
} from '../../src/data';
import { ConvkitError } from '../../src/errors';

const SHAPE = { height: 12, width: 10, channels: 3 };

function randomSet(count: number, seed: number, shape = SHAPE): ImageSet {
  const random = Random.fromSeeds(seed);
  const images = new Uint8Array(count * shape.height * shape.width * shape.channels);
  for (let i = 0; i < images.length; i++) images[i] = random.int(256);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 4);
  return { images, labels, count, ...shape };
}

/** Scale-only normalisation maps byte b to b/255; this maps it back exactly. */
function toBytes(floats: Float32Array): Uint8Array {
  return Uint8Array.from(floats, (v) => Math.round(v * 255));
}

function warp(set: ImageSet, params: WarpParams, image = 0): Uint8Array {
  const augmenter = new Augmenter(set, null, scaleOnlyNormalization(set.channels));
  const out = new Float32Array(set.height * set.width * set.channels);
  augmenter.warpInto(set.images, image * out.length, out, 0, params);
  return toBytes(out);
}

function augmentAll(set: ImageSet, options: AugmentOptions | null, seed: number): Float32Array {
  const out = new Float32Array(set.images.length);
  const indices = Int32Array.from({ length: set.count }, (_, i) => i);
  new Augmenter(set, options, scaleOnlyNormalization(set.channels)).apply(set.images, indices, out, Random.fromSeeds(seed));
  return out;
}

describe('augmentation', () => {
  const set = randomSet(16, 5);
  const imageBytes = SHAPE.height * SHAPE.width * SHAPE.channels;
  const original = set.images.subarray(0, imageBytes);

  it('flipping twice gives back the image, flipping once mirrors each row', () => {
    const flipped = warp(set, { ...IDENTITY_WARP, flip: true });
    assert.notDeepEqual(flipped, original);
    const { width, channels } = SHAPE;
    for (let y = 0; y < SHAPE.height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) {
      assert.equal(flipped[(y * width + x) * channels + c], original[(y * width + (width - 1 - x)) * channels + c]);
    }
    const twice = warp({ ...set, images: flipped, count: 1 }, { ...IDENTITY_WARP, flip: true });
    assert.deepEqual(twice, original);
  });

  it('zero shift, unit zoom and no crop change nothing', () => {
    assert.deepEqual(warp(set, IDENTITY_WARP), original);
    const zeroStrengths: AugmentOptions = { widthShift: 0, heightShift: 0, zoom: 0, noise: 0, cropPadding: 0, cutout: 0, horizontalFlip: false };
    assert.deepEqual(augmentAll(set, zeroStrengths, 3), toFloat32(set, scaleOnlyNormalization(3)));
  });

  it('an integer shift moves content by that many pixels and repeats the edge', () => {
    const shifted = warp(set, { ...IDENTITY_WARP, shiftX: 2 });
    const { width, channels } = SHAPE;
    for (let y = 0; y < SHAPE.height; y++) for (let x = 0; x < width; x++) {
      const from = Math.max(0, x - 2);
      assert.equal(shifted[(y * width + x) * channels], original[(y * width + from) * channels]);
    }
  });

  it('a padded crop shows black where the window leaves the image', () => {
    const cropped = warp(set, { ...IDENTITY_WARP, cropX: -3, cropY: 2 });
    const { width, height, channels } = SHAPE;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const sx = x - 3, sy = y + 2;
      const inside = sx >= 0 && sy < height;
      const expected = inside ? original[(sy * width + sx) * channels + 1] : 0;
      assert.equal(cropped[(y * width + x) * channels + 1], expected, `pixel ${x},${y}`);
    }
  });

  it('the same seed reproduces, a different seed differs, and each option does something', () => {
    const everything: AugmentOptions = { ...TUTORIAL_AUGMENTATION, cropPadding: 2, cutout: 4 };
    assert.deepEqual(augmentAll(set, everything, 7), augmentAll(set, everything, 7));
    assert.notDeepEqual(augmentAll(set, everything, 7), augmentAll(set, everything, 8));
    const plain = toFloat32(set, scaleOnlyNormalization(3));
    for (const options of [{ horizontalFlip: true }, { widthShift: 0.2 }, { heightShift: 0.2 }, { zoom: 0.3 }, { noise: 0.1 },
      { cropPadding: 2 }, { cutout: 4 }] as AugmentOptions[]) {
      assert.notDeepEqual(augmentAll(set, options, 1), plain, describeAugment(options));
    }
  });

  it('cutout zeroes a square in standardised units; noise has the requested spread', () => {
    const normalization = computeNormalization(set);
    const indices = Int32Array.from({ length: set.count }, (_, i) => i);
    const cut = new Float32Array(set.images.length);
    new Augmenter(set, { cutout: 4 }, normalization).apply(set.images, indices, cut, Random.fromSeeds(2));
    const clean = toFloat32(set, normalization);
    for (let n = 0; n < set.count; n++) {
      let zeroed = 0;
      for (let i = n * imageBytes; i < (n + 1) * imageBytes; i++) if (cut[i] !== clean[i]) zeroed++, assert.equal(cut[i], 0);
      // A 4x4 square, fewer pixels when clipped at a border.
      assert.ok(zeroed <= 4 * 4 * 3 && zeroed > 0, `image ${n}: ${zeroed}`);
    }

    const big = randomSet(200, 9, { height: 32, width: 32, channels: 3 });
    const noisy = augmentAll(big, { noise: 0.05 }, 4);
    const exact = toFloat32(big, scaleOnlyNormalization(3));
    let sum = 0, sumSquares = 0, withinOneSigma = 0;
    for (let i = 0; i < noisy.length; i++) {
      const d = noisy[i] - exact[i];
      sum += d;
      sumSquares += d * d;
      if (Math.abs(d) < 0.05) withinOneSigma++;
    }
    const mean = sum / noisy.length, std = Math.sqrt(sumSquares / noisy.length - mean * mean);
    assert.ok(Math.abs(mean) < 0.001, `mean ${mean}`);
    assert.ok(Math.abs(std - 0.05) < 0.001, `std ${std}`);
    // Gaussian, not uniform: about 68.3% of the values lie within one standard deviation.
    assert.ok(Math.abs(withinOneSigma / noisy.length - 0.683) < 0.01, `${withinOneSigma / noisy.length}`);
  });

  it('parses CLI specs and rejects bad strengths', () => {
    assert.equal(parseAugmentSpec('none'), null);
    assert.deepEqual(parseAugmentSpec('tutorial'), { ...TUTORIAL_AUGMENTATION });
    assert.deepEqual(parseAugmentSpec('flip, shift=0.1,cutout=8,crop=4'), { horizontalFlip: true, widthShift: 0.1, heightShift: 0.1, cutout: 8, cropPadding: 4 });
    assert.deepEqual(parseAugmentSpec(describeAugment(TUTORIAL_AUGMENTATION)), { ...TUTORIAL_AUGMENTATION });
    assert.throws(() => parseAugmentSpec('spin=3'), ConvkitError);
    assert.throws(() => parseAugmentSpec('zoom'), ConvkitError);
    assert.throws(() => new Augmenter(SHAPE, { zoom: 1.5 }, scaleOnlyNormalization(3)), /zoom must be in \[0, 1\)/);
    assert.throws(() => new Augmenter(SHAPE, { cutout: 2.5 }, scaleOnlyNormalization(3)), /cutout must be a whole number/);
    assert.throws(() => new Augmenter(SHAPE, null, { mean: [0], std: [1] }), /normalization needs 3/);
  });
});

describe('airbench augmentation: alternating flip and reflected translation', () => {
  const set = randomSet(16, 5);
  const imageBytes = SHAPE.height * SHAPE.width * SHAPE.channels;

  it('a reflected translation shows the image mirrored at its edges, exactly', () => {
    // One channel, 3 rows of 4: the window starts 2 left of and 1 below the image's origin.
    const tiny: ImageSet = { images: Uint8Array.from({ length: 12 }, (_, i) => i + 1), labels: new Int32Array(1), count: 1, height: 3, width: 4, channels: 1 };
    assert.deepEqual([...warp(tiny, { ...IDENTITY_WARP, translateX: -2, translateY: 1 })], [
      7, 6, 5, 6,
      11, 10, 9, 10,
      7, 6, 5, 6,
    ]);
    // Mirrored after the translation, as the flip of the output.
    assert.deepEqual([...warp(tiny, { ...IDENTITY_WARP, translateX: -2, translateY: 1, flip: true })], [
      6, 5, 6, 7,
      10, 9, 10, 11,
      6, 5, 6, 7,
    ]);
    assert.deepEqual([...warp(tiny, { ...IDENTITY_WARP, translateX: 2 })], [3, 4, 3, 2, 7, 8, 7, 6, 11, 12, 11, 10]);
  });

  it('translate draws every offset from -P to P per image, the same for the same seed', () => {
    const augmenter = new Augmenter(SHAPE, { translate: 2 }, scaleOnlyNormalization(3));
    const random = Random.fromSeeds(4);
    const offsets = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const { translateX, translateY } = augmenter.sampleWarp(random);
      offsets.add(translateX).add(translateY);
    }
    assert.deepEqual([...offsets].sort((a, b) => a - b), [-2, -1, 0, 1, 2]);
    assert.deepEqual(augmentAll(set, { translate: 2 }, 7), augmentAll(set, { translate: 2 }, 7));
    assert.notDeepEqual(augmentAll(set, { translate: 2 }, 7), augmentAll(set, { translate: 2 }, 8));
    // The older options draw as before: adding translate does not change the crop drawn.
    const cropOnly = new Augmenter(SHAPE, { cropPadding: 3 }, scaleOnlyNormalization(3)).sampleWarp(Random.fromSeeds(5));
    const withTranslate = new Augmenter(SHAPE, { cropPadding: 3, translate: 1 }, scaleOnlyNormalization(3)).sampleWarp(Random.fromSeeds(5));
    assert.deepEqual([withTranslate.cropX, withTranslate.cropY], [cropOnly.cropX, cropOnly.cropY]);
  });

  it('the alternating flip is a coin toss per image in epoch 0, then the other way every epoch', () => {
    let flippedAtFirst = 0;
    for (let image = 0; image < 400; image++) {
      const states = [0, 1, 2, 3].map((epoch) => alternatingFlipState(9, image, epoch));
      assert.deepEqual(states, [states[0], !states[0], states[0], !states[0]], `image ${image}`);
      if (states[0]) flippedAtFirst++;
    }
    assert.ok(flippedAtFirst > 160 && flippedAtFirst < 240, `${flippedAtFirst} of 400 flipped in epoch 0`);
    const seeds = Array.from({ length: 64 }, (_, image) => alternatingFlipState(9, image, 0) === alternatingFlipState(10, image, 0));
    assert.ok(seeds.includes(false), 'another seed tosses other coins');
  });

  it('in training batches each image is mirrored by its index and epoch, whatever batch it lands in', () => {
    const normalization = scaleOnlyNormalization(3);
    const clean = toFloat32(set, normalization);
    // The mirror image of each image, computed with the plain flip warp.
    const mirrorOf = (image: number) => Float32Array.from(warp(set, { ...IDENTITY_WARP, flip: true }, image), (b) => b / 255);
    for (const batchSize of [3, 16]) {
      const stream = new BatchStream(set, { batchSize, shuffle: true, seed: 21, augment: { alternatingFlip: true }, normalize: normalization });
      for (const epoch of [0, 1, 2]) {
        const order = stream.order(epoch);
        const images = [...stream.epoch(epoch)].flatMap((batch) => Array.from({ length: batch.count }, (_, i) => batch.x.subarray(i * imageBytes, (i + 1) * imageBytes)));
        images.forEach((pixels, position) => {
          const image = order[position];
          const expected = alternatingFlipState(21, image, epoch) ? mirrorOf(image) : clean.subarray(image * imageBytes, (image + 1) * imageBytes);
          assert.deepEqual(pixels, expected, `batch size ${batchSize}, epoch ${epoch}, image ${image}`);
        });
      }
    }
    const indices = Int32Array.from({ length: set.count }, (_, i) => i);
    assert.throws(() => new Augmenter(set, { alternatingFlip: true }, normalization).apply(set.images, indices, new Float32Array(clean.length),
      Random.fromSeeds(1)), /alternating flip needs the seed and epoch/);
  });

  it('parses flip-alternate, translate=P and the airbench preset, and rejects what cannot work', () => {
    assert.deepEqual(parseAugmentSpec('airbench'), { alternatingFlip: true, translate: 2 });
    assert.deepEqual(parseAugmentSpec('airbench'), { ...AIRBENCH_AUGMENTATION });
    assert.deepEqual(parseAugmentSpec('flip-alternate,translate=3,cutout=4'), { alternatingFlip: true, translate: 3, cutout: 4 });
    assert.equal(describeAugment(parseAugmentSpec('airbench')), 'flip-alternate,translate=2');
    assert.deepEqual(parseAugmentSpec(describeAugment(AIRBENCH_AUGMENTATION)), { ...AIRBENCH_AUGMENTATION });
    assert.throws(() => parseAugmentSpec('flip,airbench'), /flip and flip-alternate exclude each other/);
    assert.throws(() => parseAugmentSpec('flip-alternate=2'), /flip-alternate takes no value or true\/false/);
    assert.throws(() => parseAugmentSpec('translate'), /needs a number/);
    // Reflection reaches at most side - 1 pixels out: 9 for a 12x10 image.
    assert.throws(() => new Augmenter(SHAPE, { translate: 10 }, scaleOnlyNormalization(3)), /translate must be a whole number of pixels between 0 and 9/);
    assert.throws(() => new Augmenter(SHAPE, { translate: 1.5 }, scaleOnlyNormalization(3)), /translate must be a whole number/);
  });
});

describe('BatchStream', () => {
  const set = randomSet(50, 11);
  const normalization = computeNormalization(set);
  const imageBytes = SHAPE.height * SHAPE.width * SHAPE.channels;

  function collect(stream: BatchStream, epoch: number) {
    return [...stream.epoch(epoch)];
  }

  it('visits every image once per epoch, normalised, with the right labels and a short last batch', () => {
    const stream = new BatchStream(set, { batchSize: 16, shuffle: true, seed: 3, normalize: normalization });
    const batches = collect(stream, 0);
    assert.deepEqual(batches.map((b) => b.count), [16, 16, 16, 2]);
    const clean = toFloat32(set, normalization);
    const seen = new Set<number>();
    for (const batch of batches) {
      for (let i = 0; i < batch.count; i++) {
        const image = batch.x.subarray(i * imageBytes, (i + 1) * imageBytes);
        // Find which source image this is: unaugmented batches hold exact copies.
        let match = -1;
        for (let n = 0; n < set.count && match < 0; n++) {
          if (clean.subarray(n * imageBytes, (n + 1) * imageBytes).every((v, k) => v === image[k])) match = n;
        }
        assert.ok(match >= 0);
        assert.equal(batch.labels[i], set.labels[match]);
        seen.add(match);
      }
    }
    assert.equal(seen.size, set.count);
  });

  it('replays exactly from (seed, epoch) alone, and differs across epochs and seeds', () => {
    const options = { batchSize: 8, shuffle: true, seed: 5, augment: TUTORIAL_AUGMENTATION, normalize: normalization };
    const stream = new BatchStream(set, options);
    const epoch2 = collect(stream, 2);
    collect(stream, 0);
    const resumed = new BatchStream(set, options);
    assert.deepEqual(collect(resumed, 2), epoch2, 'a fresh stream (a resumed run) replays epoch 2');
    assert.deepEqual(resumed.batch(2, 3), epoch2[3], 'one batch can be recomputed on its own');
    assert.notDeepEqual(collect(stream, 3)[0].x, epoch2[0].x);
    assert.notDeepEqual(collect(new BatchStream(set, { ...options, seed: 6 }), 2)[0].x, epoch2[0].x);
  });

  it('keeps file order without shuffle and never augments unless asked', () => {
    const stream = new BatchStream(set, { batchSize: 50, shuffle: false, seed: 1, normalize: normalization });
    const [only] = collect(stream, 4);
    assert.deepEqual(only.x, toFloat32(set, normalization));
    assert.deepEqual(only.labels, set.labels);
    assert.throws(() => new BatchStream(set, { batchSize: 0, shuffle: false, seed: 1, normalize: normalization }), ConvkitError);
  });
});

describe('Random', () => {
  it('is reproducible, serialisable and roughly uniform', () => {
    const a = Random.fromSeeds(1, 2, 3);
    const draws = Array.from({ length: 5 }, () => a.nextUint32());
    const b = Random.fromSeeds(1, 2, 3);
    assert.deepEqual(Array.from({ length: 5 }, () => b.nextUint32()), draws);
    const c = Random.fromSeeds(1, 2, 4);
    assert.notDeepEqual(Array.from({ length: 5 }, () => c.nextUint32()), draws);

    const saved = JSON.parse(JSON.stringify(a.state()));
    const next = [a.nextUint32(), a.nextUint32()];
    const restored = Random.fromState(saved);
    assert.deepEqual([restored.nextUint32(), restored.nextUint32()], next);

    const bulk = new Uint32Array(4);
    const one = Random.fromSeeds(9), two = Random.fromSeeds(9);
    one.fillUint32(bulk);
    assert.deepEqual([...bulk], [two.nextUint32(), two.nextUint32(), two.nextUint32(), two.nextUint32()]);
    assert.deepEqual(one.state(), two.state());

    const random = Random.fromSeeds(4);
    let sum = 0;
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const f = random.float();
      sum += f;
      buckets[Math.floor(f * 10)]++;
    }
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
    for (const count of buckets) assert.ok(Math.abs(count - 10_000) < 500, `${buckets}`);
    const order = Random.fromSeeds(1).permutation(1000);
    assert.deepEqual([...order].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
    assert.throws(() => Random.fromState([1, 2, 3] as never), TypeError);
  });
});
