// On-the-fly augmentation in plain typed-array loops: each image gets its own random flip,
// shift, zoom, crop-with-padding, reflected translation, cutout and Gaussian noise, drawn
// from a seeded Random, or airbench's alternating flip, fixed per image and epoch.
// Shift, zoom, crop and flip have no rotation, so the warp is separable: one source index
// per output column and one per output row, and each output pixel is a single lookup.
import { ConvkitError } from '../errors';
import { RANDOM_STREAM, checkNormalization, normalizationTable, type Normalization } from './preprocess';
import { hashSeeds, type Random } from './random';

export interface AugmentOptions {
  /** Mirror left-right with probability 1/2 (Keras horizontal_flip). */
  horizontalFlip?: boolean;
  /**
   * airbench's alternating flip: each image is mirrored or not at random in epoch 0, then
   * the other way round every next epoch, so any two epochs in a row show it both ways.
   */
  alternatingFlip?: boolean;
  /** Largest shift as a fraction of the width, drawn uniformly in [-s, s] (Keras width_shift_range). */
  widthShift?: number;
  /** Largest shift as a fraction of the height (Keras height_shift_range). */
  heightShift?: number;
  /** Each axis is scaled by a factor in [1 - z, 1 + z] (Keras zoom_range). */
  zoom?: number;
  /** Standard deviation of Gaussian noise added to 0..1 pixel values. */
  noise?: number;
  /** Pad this many black pixels on each side, then crop back to size at a random offset. */
  cropPadding?: number;
  /**
   * Pad this many pixels on each side by reflection (the image mirrored at its edges, edge
   * pixels not repeated), then crop back to size at a random offset (airbench's translate).
   */
  translate?: number;
  /** Side in pixels of a square set to the dataset mean at a random place (DeVries & Taylor). */
  cutout?: number;
}

/** The tutorial's ImageDataGenerator settings plus the white noise its text adds. */
export const TUTORIAL_AUGMENTATION: Readonly<AugmentOptions> = Object.freeze({
  horizontalFlip: true, widthShift: 0.05, heightShift: 0.05, zoom: 0.1, noise: 0.02,
});

/** The usual strong CIFAR recipe: flip, 4-pixel padded crop, 8-pixel cutout. */
export const CROP_AUGMENTATION: Readonly<AugmentOptions> = Object.freeze({
  horizontalFlip: true, cropPadding: 4, cutout: 8,
});

/** airbench94's: alternating flip and a 2-pixel reflected translation. */
export const AIRBENCH_AUGMENTATION: Readonly<AugmentOptions> = Object.freeze({
  alternatingFlip: true, translate: 2,
});

const PRESETS: Record<string, Readonly<AugmentOptions>> = {
  tutorial: TUTORIAL_AUGMENTATION, crop: CROP_AUGMENTATION, airbench: AIRBENCH_AUGMENTATION,
};

const SPEC_KEYS: Record<string, keyof AugmentOptions | 'shift'> = {
  flip: 'horizontalFlip', 'flip-alternate': 'alternatingFlip', shift: 'shift', 'width-shift': 'widthShift', 'height-shift': 'heightShift',
  zoom: 'zoom', noise: 'noise', crop: 'cropPadding', translate: 'translate', cutout: 'cutout',
};

export const AUGMENT_SPEC_HELP = 'none | tutorial | crop | airbench | comma list of flip, flip-alternate, shift=F, width-shift=F, ' +
  'height-shift=F, zoom=F, noise=F, crop=PIXELS, translate=PIXELS, cutout=PIXELS (presets can be combined with items, ' +
  'e.g. tutorial,cutout=8; airbench = flip-alternate,translate=2)';

/** Parses a CLI spec such as "tutorial", "none" or "flip,shift=0.1,cutout=8"; null means no augmentation. */
export function parseAugmentSpec(spec: string): AugmentOptions | null {
  const options: AugmentOptions = {};
  const items = spec.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  if (items.length === 1 && items[0] === 'none') return null;
  for (const item of items) {
    if (Object.hasOwn(PRESETS, item)) {
      Object.assign(options, PRESETS[item]);
      continue;
    }
    const [name, rawValue, extra] = item.split('=');
    const key = Object.hasOwn(SPEC_KEYS, name) ? SPEC_KEYS[name] : undefined;
    if (!key || extra !== undefined) throw new ConvkitError(`unknown augmentation "${item}"; expected ${AUGMENT_SPEC_HELP}`);
    if (key === 'horizontalFlip' || key === 'alternatingFlip') {
      if (rawValue !== undefined && rawValue !== 'true' && rawValue !== 'false') throw new ConvkitError(`${name} takes no value or true/false, got "${item}"`);
      options[key] = rawValue !== 'false';
      continue;
    }
    const value = Number(rawValue);
    if (rawValue === undefined || rawValue === '' || !Number.isFinite(value)) throw new ConvkitError(`augmentation "${name}" needs a number, e.g. ${name}=0.1`);
    if (key === 'shift') options.widthShift = options.heightShift = value;
    else options[key] = value;
  }
  checkFlips(options);
  return options;
}

function checkFlips(options: AugmentOptions): void {
  if (options.horizontalFlip && options.alternatingFlip) {
    throw new ConvkitError('augmentation flip and flip-alternate exclude each other: choose one');
  }
}

/** The options as a spec string parseAugmentSpec accepts (for logs and run metadata). */
export function describeAugment(options: AugmentOptions | null | undefined): string {
  if (!options) return 'none';
  const parts: string[] = [];
  if (options.horizontalFlip) parts.push('flip');
  if (options.alternatingFlip) parts.push('flip-alternate');
  if (options.widthShift) parts.push(`width-shift=${options.widthShift}`);
  if (options.heightShift) parts.push(`height-shift=${options.heightShift}`);
  if (options.zoom) parts.push(`zoom=${options.zoom}`);
  if (options.noise) parts.push(`noise=${options.noise}`);
  if (options.cropPadding) parts.push(`crop=${options.cropPadding}`);
  if (options.translate) parts.push(`translate=${options.translate}`);
  if (options.cutout) parts.push(`cutout=${options.cutout}`);
  return parts.length > 0 ? parts.join(',') : 'none';
}

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

function checkAugmentOptions(options: AugmentOptions, shape: ImageShape): void {
  const fraction = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value >= 0 && value < 1)) throw new ConvkitError(`augmentation ${name} must be in [0, 1), got ${value}`);
  };
  fraction('widthShift', options.widthShift);
  fraction('heightShift', options.heightShift);
  fraction('zoom', options.zoom);
  if (options.noise !== undefined && !(options.noise >= 0 && options.noise <= 10)) {
    throw new ConvkitError(`augmentation noise must be between 0 and 10, got ${options.noise}`);
  }
  const side = Math.min(shape.height, shape.width);
  // Reflection mirrors at the edge pixel, so it reaches at most side - 1 pixels out.
  for (const [name, value, largest] of [['cropPadding', options.cropPadding, side], ['cutout', options.cutout, side],
    ['translate', options.translate, side - 1]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= largest)) {
      throw new ConvkitError(`augmentation ${name} must be a whole number of pixels between 0 and ${largest}, got ${value}`);
    }
  }
  checkFlips(options);
}

/** One image's random draw; exported so tests can apply exact transforms. */
export interface WarpParams {
  flip: boolean;
  zoomX: number;
  zoomY: number;
  /** Shift in pixels (positive moves the content right / down). */
  shiftX: number;
  shiftY: number;
  /** Offset of the crop window inside the padded image, in pixels (0 = centred). */
  cropX: number;
  cropY: number;
  /** Offset of the window inside the reflection-padded image, in pixels (0 = centred). */
  translateX: number;
  translateY: number;
}

export const IDENTITY_WARP: Readonly<WarpParams> = Object.freeze({
  flip: false, zoomX: 1, zoomY: 1, shiftX: 0, shiftY: 0, cropX: 0, cropY: 0, translateX: 0, translateY: 0,
});

/** Where training stands, for augmentation that depends on the epoch rather than on random draws. */
export interface AugmentPosition {
  seed: number;
  epoch: number;
}

/**
 * Whether the alternating flip mirrors image `imageIndex` (its index in the training set)
 * in `epoch`: a coin toss per image from the seed in epoch 0, the opposite every epoch after.
 */
export function alternatingFlipState(seed: number, imageIndex: number, epoch: number): boolean {
  const first = (hashSeeds(seed, RANDOM_STREAM.alternatingFlip, imageIndex) & 1) === 1;
  return first !== (epoch % 2 === 1);
}

/** Index `i` of an axis of `length` reflected into it, edge not repeated: -1 -> 1, length -> length - 2. */
function reflect(i: number, length: number): number {
  if (i < 0) return -i;
  if (i >= length) return 2 * (length - 1) - i;
  return i;
}

/**
 * For each output position along one axis, the source position, or -1 where the padded crop
 * shows padding. Positions outside the image after zoom/shift repeat the edge (Keras' 'nearest').
 * The steps, from the output back to the source: flip, crop, translate, zoom and shift.
 */
function fillAxisMap(map: Int32Array, length: number, zoom: number, shift: number, crop: number, translate: number, flip: boolean): void {
  const center = (length - 1) / 2;
  for (let i = 0; i < length; i++) {
    const cropped = (flip ? length - 1 - i : i) + crop;
    if (cropped < 0 || cropped >= length) {
      map[i] = -1;
      continue;
    }
    const translated = reflect(cropped + translate, length);
    const source = Math.round(center + (translated - center) * zoom - shift);
    map[i] = source < 0 ? 0 : source >= length ? length - 1 : source;
  }
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function inverseNormalCdf(p: number): number {
  const a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
  const b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
  const c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
  const d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const NOISE_BITS = 10;
const NOISE_LEVELS = 1 << NOISE_BITS;
const NOISE_MASK = NOISE_LEVELS - 1;

/**
 * 1,024 equally likely standard normal values (quantiles at (i + 0.5) / 1024, rescaled to
 * unit variance; the extremes are +-3.3): 10 random bits pick one, so one 32-bit draw gives
 * an RGB pixel its three noise values, and noise costs table lookups instead of a log, a
 * square root and a cosine per value. The table is 4 KiB, so it stays in the L1 cache.
 */
let normalQuantiles: Float32Array | undefined;
function normalTable(): Float32Array {
  if (!normalQuantiles) {
    const quantiles = Array.from({ length: NOISE_LEVELS }, (_, i) => inverseNormalCdf((i + 0.5) / NOISE_LEVELS));
    const rms = Math.sqrt(quantiles.reduce((sum, q) => sum + q * q, 0) / NOISE_LEVELS);
    normalQuantiles = Float32Array.from(quantiles, (q) => q / rms);
  }
  return normalQuantiles;
}

/**
 * Turns byte images into normalised float images, augmenting each one. One instance holds
 * reusable scratch buffers, so it is cheap to call per batch.
 */
export class Augmenter {
  private readonly table: Float32Array;
  /** Black (padding) per channel, normalised. */
  private readonly black: Float32Array;
  /** Noise standard deviation for each value of an image, in normalised units. */
  private readonly noiseScale: Float32Array;
  private readonly noiseBits: Uint32Array;
  /** The same bits read as int32: V8 keeps those in registers, uint32s above 2^31 become doubles. */
  private readonly noiseBitsSigned: Int32Array;
  private readonly normals: Float32Array;
  private readonly columns: Int32Array;
  private readonly rows: Int32Array;
  private readonly options: AugmentOptions | null;
  private readonly warps: boolean;
  private readonly imageSize: number;

  readonly shape: ImageShape;

  /** `shape` may be the ImageSet itself: only its height, width and channels are kept. */
  constructor(shape: ImageShape, options: AugmentOptions | null | undefined, normalization: Normalization) {
    checkNormalization(normalization, shape.channels);
    if (options) checkAugmentOptions(options, shape);
    const { height, width, channels } = shape;
    this.shape = { height, width, channels };
    this.options = options ?? null;
    this.imageSize = height * width * channels;
    this.table = normalizationTable(normalization);
    this.black = Float32Array.from({ length: channels }, (_, c) => this.table[c * 256]);
    // Noise is drawn in 0..1 pixel units, so in standardised units it is scaled by 1/std.
    this.noiseScale = Float32Array.from({ length: this.imageSize }, (_, i) => (options?.noise ?? 0) / normalization.std[i % channels]);
    // One draw per pixel (up to three channels), or per value when there are more channels.
    this.noiseBits = new Uint32Array(channels <= 3 ? height * width : this.imageSize);
    this.noiseBitsSigned = new Int32Array(this.noiseBits.buffer);
    this.normals = normalTable();
    this.columns = new Int32Array(width);
    this.rows = new Int32Array(height);
    this.warps = !!options && !!(options.horizontalFlip || options.alternatingFlip || options.widthShift || options.heightShift ||
      options.zoom || options.cropPadding || options.translate);
  }

  /**
   * One image's warp, drawn from `random` in a fixed order (new options draw after the
   * older ones, so the older ones' draws, and runs resumed with them, stay as they were).
   * The alternating flip is not drawn here: see alternatingFlipState.
   */
  sampleWarp(random: Random): WarpParams {
    const o = this.options;
    if (!o) return IDENTITY_WARP;
    const { width, height } = this.shape;
    const pad = o.cropPadding ?? 0;
    const translate = o.translate ?? 0;
    return {
      flip: !!o.horizontalFlip && random.float() < 0.5,
      zoomX: o.zoom ? random.uniform(1 - o.zoom, 1 + o.zoom) : 1,
      zoomY: o.zoom ? random.uniform(1 - o.zoom, 1 + o.zoom) : 1,
      shiftX: o.widthShift ? random.uniform(-o.widthShift, o.widthShift) * width : 0,
      shiftY: o.heightShift ? random.uniform(-o.heightShift, o.heightShift) * height : 0,
      cropX: pad ? random.int(2 * pad + 1) - pad : 0,
      cropY: pad ? random.int(2 * pad + 1) - pad : 0,
      translateX: translate ? random.int(2 * translate + 1) - translate : 0,
      translateY: translate ? random.int(2 * translate + 1) - translate : 0,
    };
  }

  /**
   * Writes images `indices` of `images` into `out` (NHWC floats, normalised), augmented
   * with draws from `random` when this augmenter has options. `random` may be null without.
   * The alternating flip also needs `position`, and `indices` to be indices of the training
   * set (each image keeps its own flip sequence whichever batch it lands in).
   */
  apply(images: Uint8Array, indices: ArrayLike<number>, out: Float32Array, random: Random | null, position?: AugmentPosition): void {
    const imageSize = this.imageSize;
    if (out.length < indices.length * imageSize) throw new RangeError('output buffer too small for the batch');
    if (this.options && !random) throw new TypeError('augmentation needs a Random');
    const alternating = !!this.options?.alternatingFlip;
    if (alternating && !position) throw new TypeError('the alternating flip needs the seed and epoch (an AugmentPosition)');
    for (let i = 0; i < indices.length; i++) {
      const start = indices[i] * imageSize;
      const outStart = i * imageSize;
      if (this.warps) {
        const params = this.sampleWarp(random!);
        if (alternating) params.flip = alternatingFlipState(position!.seed, indices[i], position!.epoch);
        this.warpInto(images, start, out, outStart, params);
      } else {
        this.normalizeInto(images, start, out, outStart);
      }
      if (this.options?.noise) this.addNoise(out, outStart, random!);
      if (this.options?.cutout) this.cutout(out, outStart, this.options.cutout, random!);
    }
  }

  private normalizeInto(source: Uint8Array, start: number, out: Float32Array, outStart: number): void {
    const table = this.table, channels = this.shape.channels, size = this.imageSize;
    if (channels === 3) {
      for (let i = 0; i < size; i += 3) {
        out[outStart + i] = table[source[start + i]];
        out[outStart + i + 1] = table[256 + source[start + i + 1]];
        out[outStart + i + 2] = table[512 + source[start + i + 2]];
      }
      return;
    }
    for (let i = 0, c = 0; i < size; i++) {
      out[outStart + i] = table[c * 256 + source[start + i]];
      if (++c === channels) c = 0;
    }
  }

  /**
   * Writes one image warped by `params` and normalised, in a single pass: each output pixel
   * reads the source pixel its column and row maps name (padding reads as black).
   */
  warpInto(source: Uint8Array, start: number, out: Float32Array, outStart: number, params: WarpParams): void {
    const { height, width, channels } = this.shape;
    const { columns, rows, table, black } = this;
    fillAxisMap(columns, width, params.zoomX, params.shiftX, params.cropX, params.translateX, params.flip);
    fillAxisMap(rows, height, params.zoomY, params.shiftY, params.cropY, params.translateY, false);
    const rowBytes = width * channels;
    let o = outStart;
    for (let y = 0; y < height; y++) {
      const row = rows[y];
      const rowStart = start + row * rowBytes;
      for (let x = 0; x < width; x++) {
        const column = columns[x];
        if (row < 0 || column < 0) {
          for (let c = 0; c < channels; c++) out[o++] = black[c];
        } else if (channels === 3) {
          const from = rowStart + column * 3;
          out[o] = table[source[from]];
          out[o + 1] = table[256 + source[from + 1]];
          out[o + 2] = table[512 + source[from + 2]];
          o += 3;
        } else {
          const from = rowStart + column * channels;
          for (let c = 0; c < channels; c++) out[o++] = table[c * 256 + source[from + c]];
        }
      }
    }
  }

  private addNoise(out: Float32Array, outStart: number, random: Random): void {
    const bits = this.noiseBitsSigned, normals = this.normals, scale = this.noiseScale, size = this.imageSize;
    random.fillUint32(this.noiseBits);
    if (this.shape.channels === 3) {
      // Per-channel scales stay in registers; bits 0-9, 10-19 and 20-29 serve R, G and B.
      const s0 = scale[0], s1 = scale[1], s2 = scale[2];
      for (let p = 0, i = outStart; i < outStart + size; p++, i += 3) {
        const draw = bits[p];
        out[i] += normals[draw & NOISE_MASK] * s0;
        out[i + 1] += normals[(draw >>> NOISE_BITS) & NOISE_MASK] * s1;
        out[i + 2] += normals[(draw >>> (2 * NOISE_BITS)) & NOISE_MASK] * s2;
      }
      return;
    }
    const perDraw = this.shape.channels < 3 ? this.shape.channels : 1;
    for (let i = 0; i < size; i++) {
      const draw = bits[Math.floor(i / perDraw)];
      out[outStart + i] += normals[(draw >>> (NOISE_BITS * (i % perDraw))) & NOISE_MASK] * scale[i];
    }
  }

  /** Sets a square (clipped at the borders) to 0, the dataset mean after standardisation. */
  private cutout(out: Float32Array, outStart: number, side: number, random: Random): void {
    const { height, width, channels } = this.shape;
    const centerY = random.int(height), centerX = random.int(width);
    const top = Math.max(0, centerY - (side >> 1)), bottom = Math.min(height, centerY - (side >> 1) + side);
    const left = Math.max(0, centerX - (side >> 1)), right = Math.min(width, centerX - (side >> 1) + side);
    for (let y = top; y < bottom; y++) {
      const rowStart = outStart + (y * width + left) * channels;
      out.fill(0, rowStart, rowStart + (right - left) * channels);
    }
  }
}
