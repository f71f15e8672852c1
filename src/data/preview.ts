// A PNG grid of (augmented) samples with their class names: what the model sees. Pixels
// are upscaled nearest-neighbour so each source pixel stays a visible square.
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';

import { ConvkitError } from '../errors';
import { Augmenter, type AugmentOptions } from './augment';
import { defaultLog } from './paths';
import { RANDOM_STREAM, scaleOnlyNormalization, type Normalization } from './preprocess';
import { Random } from './random';
import type { ImageSet } from './types';

export interface PreviewOptions {
  /** How many samples (default 32). */
  count?: number;
  /** Samples per row (default: a near-square grid, at most 8). */
  columns?: number;
  /** Upscaling factor (default: 3, or enough to make small images at least 96 pixels wide). */
  scale?: number;
  augment?: AugmentOptions | null;
  /** What training uses; augmentation is undone through it for display. Default: 0..1 scaling. */
  normalization?: Normalization;
  seed?: number;
  /** A .ttf/.otf for the labels; default env CONVKIT_FONT, else a common system font. */
  fontPath?: string;
  log?: (line: string) => void;
}

export interface Preview {
  png: Buffer;
  /** The chosen image indices, in grid order. */
  indices: Int32Array;
  /** The font family used for labels, or undefined when none could be found (labels left out). */
  font?: string;
}

const LABEL_FAMILY = 'ConvkitLabel';
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  '/Library/Fonts/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];
const LABEL_PIXELS = 12;
const GAP = 4;

/**
 * Registers a label font explicitly (systems differ in what canvas finds by itself) and
 * returns its family; falls back to any font canvas knows, or undefined if there is none.
 */
export function labelFont(fontPath: string | undefined, log: (line: string) => void): string | undefined {
  const requested = fontPath ?? process.env.CONVKIT_FONT;
  const candidates = requested ? [requested, ...FONT_CANDIDATES] : FONT_CANDIDATES;
  for (const candidate of candidates) {
    if (!existsSync(candidate)) {
      if (candidate === requested) log(`preview: font ${requested} not found, trying system fonts`);
      continue;
    }
    if (GlobalFonts.registerFromPath(candidate, LABEL_FAMILY)) return LABEL_FAMILY;
    if (candidate === requested) log(`preview: ${requested} is not a usable font, trying system fonts`);
  }
  if (GlobalFonts.families.length > 0) return 'sans-serif';
  log('preview: no font found, so class names are left out (set CONVKIT_FONT to a .ttf file)');
  return undefined;
}

function checkCount(name: string, value: number, maximum: number): void {
  if (!(Number.isInteger(value) && value >= 1 && value <= maximum)) {
    throw new ConvkitError(`preview ${name} must be a whole number between 1 and ${maximum}, got ${value}`);
  }
}

/** Renders `count` seeded random samples of `set`, augmented as training would, as a PNG. */
export function renderPreview(set: ImageSet, classNames: string[], options: PreviewOptions = {}): Preview {
  const log = options.log ?? defaultLog;
  const { height, width, channels } = set;
  const count = Math.min(options.count ?? 32, set.count);
  checkCount('count', count, 1024);
  const columns = options.columns ?? Math.min(8, Math.ceil(Math.sqrt(count)));
  checkCount('columns', columns, 1024);
  const scale = options.scale ?? Math.max(1, Math.ceil(96 / width));
  checkCount('scale', scale, 64);
  const normalization = options.normalization ?? scaleOnlyNormalization(channels);
  const seed = options.seed ?? 1;

  const indices = Random.fromSeeds(seed, RANDOM_STREAM.preview).permutation(set.count).slice(0, count);
  const imageSize = height * width * channels;
  const floats = new Float32Array(count * imageSize);
  const random = options.augment ? Random.fromSeeds(seed, RANDOM_STREAM.augment) : null;
  new Augmenter(set, options.augment ?? null, normalization).apply(set.images, indices, floats, random, { seed, epoch: 0 });

  const font = labelFont(options.fontPath, log);
  const cellWidth = width * scale + GAP;
  const cellHeight = height * scale + GAP + (font ? LABEL_PIXELS + GAP : 0);
  const rows = Math.ceil(count / columns);
  const canvasWidth = columns * cellWidth + GAP, canvasHeight = rows * cellHeight + GAP;
  if (canvasWidth * canvasHeight > 64_000_000) throw new ConvkitError(`preview of ${canvasWidth}x${canvasHeight} pixels is too large; lower --count or --scale`);
  const canvas = createCanvas(canvasWidth, canvasHeight);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvasWidth, canvasHeight);

  // Undo the normalisation for display, then paint each source pixel as a scale x scale square.
  const tile = context.createImageData(width * scale, height * scale);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < height * scale; y++) {
      for (let x = 0; x < width * scale; x++) {
        const from = n * imageSize + (Math.floor(y / scale) * width + Math.floor(x / scale)) * channels;
        const to = (y * width * scale + x) * 4;
        for (let c = 0; c < 3; c++) {
          const channel = channels === 1 ? 0 : c;
          const value = (floats[from + channel] * normalization.std[channel] + normalization.mean[channel]) * 255;
          tile.data[to + c] = Math.round(value);  // Uint8ClampedArray clamps to 0..255
        }
        tile.data[to + 3] = 255;
      }
    }
    const left = GAP + (n % columns) * cellWidth, top = GAP + Math.floor(n / columns) * cellHeight;
    context.putImageData(tile, left, top);
    if (font) {
      context.fillStyle = '#000000';
      context.font = `${LABEL_PIXELS - 1}px ${font}`;
      context.textBaseline = 'top';
      const label = classNames[set.labels[indices[n]]] ?? String(set.labels[indices[n]]);
      context.fillText(label, left, top + height * scale + GAP / 2, width * scale);
    }
  }
  return { png: canvas.toBuffer('image/png'), indices, font };
}
