// Text in the PNGs needs a font file: register one explicitly (CONVKIT_FONT, then common
// locations on Linux, macOS and Windows). Without any, pictures still draw, text falls back
// to whatever the system offers.
import * as fs from 'fs';
import { GlobalFonts } from '@napi-rs/canvas';

const family = 'ConvkitSans';

const regularCandidates = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/noto/NotoSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

const boldCandidates = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/noto/NotoSans-Bold.ttf',
  '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
  'C:\\Windows\\Fonts\\arialbd.ttf',
];

let registeredFamily: string | undefined;

function registerFirst(candidates: string[]): boolean {
  return candidates.some((file) => fs.existsSync(file) && GlobalFonts.registerFromPath(file, family) !== null);
}

/** The font family to draw with: the registered one, or the system's sans-serif. */
export function fontFamily(): string {
  if (registeredFamily === undefined) {
    const custom = process.env.CONVKIT_FONT;
    const regular = (custom !== undefined && registerFirst([custom])) || registerFirst(regularCandidates);
    if (regular) registerFirst(boldCandidates);
    registeredFamily = regular ? `${family}, sans-serif` : 'sans-serif';
  }
  return registeredFamily;
}

/** A CSS font string for canvas: `font(14)`, `font(20, 'bold')`. */
export function font(size: number, weight: 'normal' | 'bold' = 'normal'): string {
  return `${weight} ${size}px ${fontFamily()}`;
}
