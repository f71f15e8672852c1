// Where the model looks: occlusion heat maps over their images (the tutorial's figure), and
// occlusion, input gradients, SmoothGrad and Grad-CAM side by side for the same images.
import type { SKRSContext2D } from '@napi-rs/canvas';

import type { GradCamMap } from '../grad_cam';
import type { Image } from '../images';
import type { OcclusionMap } from '../occlusion';
import type { SaliencyMap } from '../saliency';
import { ColorMap, blueWhiteRed, yellowOrangeRed } from './colormaps';
import {
  Figure, centredText, displaySize, drawColorBar, drawImageScaled, finishFigure, frame, heatImage, margin, overlayHeat,
  palette, titleBlockHeight, titledCanvas,
} from './drawing';

export interface OcclusionExample {
  image: Image;
  map: OcclusionMap;
}

const headerHeight = 26;
const captionHeight = 24;
const gap = 18;

function className(classNames: string[], index: number): string {
  return classNames[index] ?? `class ${index}`;
}

function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

function drawHeaders(context: SKRSContext2D, headers: string[], left: number, top: number, columnWidth: number): void {
  headers.forEach((header, i) => centredText(context, header, left + i * (columnWidth + gap) + columnWidth / 2, top + 16,
    columnWidth + gap, 13, palette.muted, 'bold'));
}

function drawPanel(context: SKRSContext2D, image: Image, x: number, y: number, size: number): void {
  drawImageScaled(context, image, x, y, size);
  frame(context, x, y, size, size);
}

/**
 * For each image: the image, the drop map laid over it, and the drop for each patch
 * position on its own, with a legend in probability units. Two images per row.
 */
export function occlusionFigure(examples: OcclusionExample[], classNames: string[], options:
  { name?: string; title?: string; perRow?: number } = {}): Figure {
  const size = examples.length > 0 ? displaySize(examples[0].image, 128) : 128;
  const perRow = Math.max(1, Math.min(options.perRow ?? 2, examples.length));
  const legendWidth = 84;
  const groupWidth = 3 * size + 2 * gap + gap + legendWidth;
  const groupGap = 36;
  const width = margin * 2 + perRow * groupWidth + (perRow - 1) * groupGap;
  const rowHeight = size + captionHeight + gap;
  const rows = Math.ceil(examples.length / perRow);
  const height = titleBlockHeight(true) + headerHeight + rows * rowHeight + margin;
  const patch = examples[0]?.map.patchSize ?? 5;
  const title = options.title ?? 'Pixel importance by occlusion';
  const { canvas, context, top } = titledCanvas(width, height, title,
    `a ${patch}x${patch} noise patch slides over each image; colour = how much P(class) drops when it covers a spot`);
  for (let group = 0; group < perRow; group++) {
    drawHeaders(context, ['image', 'overlay', 'drop per position'], margin + group * (groupWidth + groupGap), top, size);
  }

  examples.forEach(({ image, map }, i) => {
    const x = margin + (i % perRow) * (groupWidth + groupGap);
    const y = top + headerHeight + Math.floor(i / perRow) * rowHeight;
    const high = Math.max(maxOf(map.drops), 0.01);
    drawPanel(context, image, x, y, size);
    drawPanel(context, overlayHeat(image, map.pixelDrops, yellowOrangeRed, 0, high), x + size + gap, y, size);
    const grid = heatImage(map.drops, map.rowStarts.length, map.columnStarts.length, yellowOrangeRed, 0, high);
    drawPanel(context, grid, x + 2 * (size + gap), y, size);
    centredText(context, `${className(classNames, map.classIndex)}: P = ${map.baseProbability.toFixed(2)}`,
      x + size / 2, y + size + 18, size + gap, 13, palette.text, 'bold');
    drawColorBar(context, yellowOrangeRed, {
      x: x + 3 * size + 3 * gap, y: y + 18, width: 14, height: size - 20, low: 0, high, label: 'P drop',
    });
  });
  return finishFigure(canvas, options.name ?? 'occlusion', title,
    'Darker red marks the spots where covering the image costs the class the most probability: the pixels the prediction rests on.');
}

export interface AttributionExample {
  image: Image;
  /** The true class when known. */
  label?: number;
  occlusion: OcclusionMap;
  gradient: SaliencyMap;
  smoothGrad: SaliencyMap;
  gradCam: GradCamMap;
}

/** The value below which a fraction `share` of |values| lies: a robust scale for gradients. */
function absolutePercentile(values: Float32Array, share: number): number {
  const sorted = Float32Array.from(values, Math.abs).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] || 1e-12;
}

function signedMap(map: SaliencyMap, colorMap: ColorMap): Image {
  const scale = absolutePercentile(map.signed, 0.99);
  return heatImage(map.signed, map.height, map.width, colorMap, -scale, scale);
}

function peakOf(values: ArrayLike<number>): number {
  return Math.max(maxOf(values), 1e-12);
}

/** Four explanations of the same prediction in one row per image, each scaled to its own peak. */
export function attributionComparison(examples: AttributionExample[], classNames: string[], options:
  { name?: string; title?: string } = {}): Figure {
  const size = examples.length > 0 ? displaySize(examples[0].image, 128) : 128;
  const columns = 5;
  const width = margin * 2 + columns * size + (columns - 1) * gap;
  const rowHeight = size + 2 * captionHeight + gap;
  const legendHeight = 70;
  const height = titleBlockHeight(true) + headerHeight + examples.length * rowHeight + legendHeight + margin;
  const title = options.title ?? 'Occlusion, gradients, SmoothGrad and Grad-CAM side by side';
  const layer = examples[0]?.gradCam.layerName ?? '';
  const { canvas, context, top } = titledCanvas(width, height, title,
    `each map explains the predicted class and is scaled to its own peak; Grad-CAM on ${layer}`);
  drawHeaders(context, ['image', 'occlusion', 'gradient', 'SmoothGrad', 'Grad-CAM'], margin, top, size);
  const columnX = (column: number) => margin + column * (size + gap);

  examples.forEach((example, row) => {
    const y = top + headerHeight + row * rowHeight;
    const { image, occlusion, gradCam } = example;
    drawPanel(context, image, columnX(0), y, size);
    drawPanel(context, overlayHeat(image, occlusion.pixelDrops, yellowOrangeRed, 0, peakOf(occlusion.pixelDrops)), columnX(1), y, size);
    drawPanel(context, signedMap(example.gradient, blueWhiteRed), columnX(2), y, size);
    const smoothPeak = absolutePercentile(example.smoothGrad.magnitude, 0.99);
    drawPanel(context, overlayHeat(image, example.smoothGrad.magnitude, yellowOrangeRed, 0, smoothPeak), columnX(3), y, size);
    drawPanel(context, overlayHeat(image, gradCam.heat, yellowOrangeRed, 0, 1), columnX(4), y, size);
    const correct = example.label === undefined || example.label === gradCam.classIndex;
    centredText(context, `said ${className(classNames, gradCam.classIndex)}`, columnX(0) + size / 2, y + size + 18,
      size + gap, 13, correct ? palette.correct : palette.wrong, 'bold');
    if (example.label !== undefined) {
      centredText(context, `true: ${className(classNames, example.label)}`, columnX(0) + size / 2, y + size + 36,
        size + gap, 12, palette.muted);
    }
  });

  const legendY = top + headerHeight + examples.length * rowHeight + 18;
  drawColorBar(context, yellowOrangeRed, {
    x: columnX(0) + 20, y: legendY, width: 2 * size - 20, height: 12, low: 0, high: 1,
    label: 'importance (occlusion, SmoothGrad, Grad-CAM)', tickLabels: ['none', 'peak'],
  });
  drawColorBar(context, blueWhiteRed, {
    x: columnX(2) + 20, y: legendY, width: 2 * size - 20, height: 12, low: -1, high: 1,
    label: 'gradient: brightening a pixel … the score', tickLabels: ['lowers', '0', 'raises'],
  });
  return finishFigure(canvas, options.name ?? 'attribution', title,
    'Occlusion measures what the class loses when a patch is hidden; the gradient shows which way each pixel pushes the score, '
    + 'SmoothGrad how strongly, averaged over noisy copies so the speckle cancels; '
    + 'Grad-CAM shows where the last conv layer found evidence for the class.');
}
