// Canvas building blocks shared by every figure: a titled white canvas, images scaled up
// without smoothing, heat maps and overlays, colour bars, fitted text, PNG encoding.
import { Canvas, SKRSContext2D, createCanvas } from '@napi-rs/canvas';

import type { Image } from '../images';
import { ColorMap, Rgb, colorAt, cssColor } from './colormaps';
import { font } from './fonts';

export const palette = {
  text: '#1f2328',
  muted: '#57606a',
  faint: '#8c959f',
  grid: '#d8dee4',
  panel: '#f6f8fa',
  correct: '#1a7f37',
  wrong: '#cf222e',
  bar: '#afb8c1',
  train: '#0969da',
  validation: '#e36209',
  extra: '#8250df',
};

/** A finished picture: PNG bytes plus what the report says about it. */
export interface Figure {
  /** File name without extension, unique within a report. */
  name: string;
  title: string;
  /** One or two sentences on how to read it. */
  description?: string;
  png: Buffer;
  width: number;
  height: number;
}

export const margin = 20;
const titleHeight = 34;
const subtitleHeight = 22;

/** A white canvas with the title (and subtitle) drawn at the top; returns where content starts. */
export function titledCanvas(width: number, height: number, title: string, subtitle?: string):
  { canvas: Canvas; context: SKRSContext2D; top: number } {
  const canvas = createCanvas(Math.ceil(width), Math.ceil(height));
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = palette.text;
  context.textBaseline = 'alphabetic';
  context.textAlign = 'left';
  context.font = font(20, 'bold');
  fillTextFitted(context, title, margin, margin + 20, width - 2 * margin);
  let top = margin + titleHeight;
  if (subtitle) {
    context.font = font(14);
    context.fillStyle = palette.muted;
    fillTextFitted(context, subtitle, margin, top + 10, width - 2 * margin);
    top += subtitleHeight;
  }
  return { canvas, context, top: top + 6 };
}

/** How tall the title block of `titledCanvas` is. */
export function titleBlockHeight(hasSubtitle: boolean): number {
  return margin + titleHeight + (hasSubtitle ? subtitleHeight : 0) + 6;
}

export function finishFigure(canvas: Canvas, name: string, title: string, description?: string): Figure {
  return { name, title, description, png: canvas.toBuffer('image/png'), width: canvas.width, height: canvas.height };
}

/** Draws text, shortened with an ellipsis when wider than `maxWidth`. */
export function fillTextFitted(context: SKRSContext2D, text: string, x: number, y: number, maxWidth: number): void {
  let shown = text;
  while (shown.length > 1 && context.measureText(shown).width > maxWidth) shown = shown.slice(0, -2) + '…';
  context.fillText(shown, x, y);
}

/** The image as RGBA on its own canvas at its own size (grey images as grey). */
function imageToCanvas(image: Image): Canvas {
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  const data = context.createImageData(image.width, image.height);
  for (let pixel = 0; pixel < image.width * image.height; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      data.data[pixel * 4 + channel] = image.pixels[pixel * image.channels + (image.channels === 1 ? 0 : channel)];
    }
    data.data[pixel * 4 + 3] = 255;
  }
  context.putImageData(data, 0, 0);
  return canvas;
}

/**
 * Draws the image into a `width` x `height` box: nearest-neighbour when enlarging so each
 * pixel stays a visible square, smoothed when shrinking a large photo.
 */
export function drawImageScaled(context: SKRSContext2D, image: Image, x: number, y: number, width: number,
  height = width): void {
  context.imageSmoothingEnabled = width < image.width;
  context.drawImage(imageToCanvas(image), x, y, width, height);
  context.imageSmoothingEnabled = true;
}

/** A thin frame around an image box. */
export function frame(context: SKRSContext2D, x: number, y: number, width: number, height: number, color = palette.grid,
  lineWidth = 1): void {
  context.strokeStyle = color;
  context.lineWidth = lineWidth;
  context.strokeRect(x - lineWidth / 2, y - lineWidth / 2, width + lineWidth, height + lineWidth);
}

/** Values (height x width) coloured through `map`, `low` and `high` at its ends. */
export function heatImage(values: ArrayLike<number>, height: number, width: number, map: ColorMap, low: number,
  high: number): Image {
  const pixels = new Uint8Array(height * width * 3);
  const span = high - low || 1;
  for (let i = 0; i < height * width; i++) pixels.set(colorAt(map, (values[i] - low) / span), i * 3);
  return { pixels, height, width, channels: 3 };
}

/**
 * Lays a heat map over a pale grey copy of the image, so the colours read as in the legend
 * and the shapes underneath stay recognisable. Values at or below `low` leave the image clear.
 */
export function overlayHeat(image: Image, values: ArrayLike<number>, map: ColorMap, low: number, high: number,
  opacity = 0.7): Image {
  const pixels = new Uint8Array(image.height * image.width * 3);
  const span = high - low || 1;
  for (let i = 0; i < image.height * image.width; i++) {
    const base = image.pixels.subarray(i * image.channels, (i + 1) * image.channels);
    const luma = image.channels === 1 ? base[0] : 0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2];
    const grey = 70 + 0.6 * luma;
    const t = (values[i] - low) / span;
    const color: Rgb = colorAt(map, t);
    const alpha = t > 0 ? opacity * Math.min(1, 0.35 + t) : 0;
    for (let channel = 0; channel < 3; channel++) {
      pixels[i * 3 + channel] = Math.round(grey * (1 - alpha) + color[channel] * alpha);
    }
  }
  return { pixels, height: image.height, width: image.width, channels: 3 };
}

/** Round tick values covering low..high, about `count` of them. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const rough = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step - 1e-9) * step; tick <= high + step * 1e-9; tick += step) {
    ticks.push(Math.abs(tick) < step * 1e-9 ? 0 : tick);
  }
  return ticks;
}

/** Formats a tick so neighbours differ but no digits are wasted. */
export function formatTick(value: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(value) || 1;
  let decimals = 0;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6 * 10 ** decimals) {
    decimals++;
  }
  return value.toFixed(decimals);
}

export interface ColorBarOptions {
  x: number;
  y: number;
  width: number;
  height: number;
  low: number;
  high: number;
  label: string;
  /** Tick labels to use instead of numbers, spread evenly from low to high. */
  tickLabels?: string[];
}

/**
 * A legend: the colour ramp with ticks and a label. Taller than wide draws it upright (low
 * at the bottom, ticks on the right); wider than tall lays it flat (ticks below).
 */
export function drawColorBar(context: SKRSContext2D, map: ColorMap, bar: ColorBarOptions): void {
  const upright = bar.height >= bar.width;
  const length = upright ? bar.height : bar.width;
  for (let step = 0; step < length; step++) {
    const t = step / Math.max(1, length - 1);
    context.fillStyle = cssColor(colorAt(map, upright ? 1 - t : t));
    if (upright) context.fillRect(bar.x, bar.y + step, bar.width, 1);
    else context.fillRect(bar.x + step, bar.y, 1, bar.height);
  }
  frame(context, bar.x, bar.y, bar.width, bar.height, palette.faint);
  context.fillStyle = palette.text;
  context.font = font(12);
  const ticks = bar.tickLabels ? bar.tickLabels.map((_, i, all) => bar.low + (bar.high - bar.low) * i / Math.max(1, all.length - 1))
    : niceTicks(bar.low, bar.high, 4);
  const span = bar.high - bar.low || 1;
  ticks.forEach((tick, i) => {
    const text = bar.tickLabels ? bar.tickLabels[i] : formatTick(tick, ticks);
    const fraction = (tick - bar.low) / span;
    if (upright) {
      const y = bar.y + bar.height * (1 - fraction);
      context.fillRect(bar.x + bar.width, y, 4, 1);
      context.textAlign = 'left';
      context.fillText(text, bar.x + bar.width + 7, y + 4);
    } else {
      const x = bar.x + bar.width * fraction;
      context.fillRect(x, bar.y + bar.height, 1, 4);
      context.textAlign = 'center';
      context.fillText(text, x, bar.y + bar.height + 16);
    }
  });
  context.fillStyle = palette.muted;
  context.textAlign = upright ? 'left' : 'center';
  context.fillText(bar.label, upright ? bar.x - 4 : bar.x + bar.width / 2, bar.y - 8);
  context.textAlign = 'left';
}

/** Centred text in the given colour and size. */
export function centredText(context: SKRSContext2D, text: string, centreX: number, y: number, maxWidth: number,
  size = 13, color: string = palette.text, weight: 'normal' | 'bold' = 'normal'): void {
  context.font = font(size, weight);
  context.fillStyle = color;
  context.textAlign = 'center';
  fillTextFitted(context, text, centreX, y, maxWidth);
  context.textAlign = 'left';
}

/** Pixels per image side that make an image about `target` pixels: whole multiples when enlarging. */
export function displaySize(image: { height: number; width: number }, target: number): number {
  const side = Math.max(image.height, image.width);
  return side >= target ? target : side * Math.max(1, Math.round(target / side));
}
