// Grids of images with captions: random predictions with their top-3 classes, and the
// images the model got wrong with the truth beside the guess.
import type { SKRSContext2D } from '@napi-rs/canvas';

import type { Image } from '../images';
import type { RankedClass } from '../predictions';
import {
  Figure, centredText, displaySize, drawImageScaled, fillTextFitted, finishFigure, frame, margin, palette,
  titleBlockHeight, titledCanvas,
} from './drawing';
import { font } from './fonts';

export interface PredictedImage {
  image: Image;
  /** The true class, when known. */
  label?: number;
  /** Most probable classes first (top-3 in the report). */
  top: RankedClass[];
}

interface TileLayout {
  tileWidth: number;
  tileHeight: number;
  imageSize: number;
}

function galleryFigure<T extends { image: Image }>(items: T[], layout: TileLayout, columns: number,
  name: string, title: string, subtitle: string, description: string,
  paintTile: (context: SKRSContext2D, item: T, x: number, y: number, layout: TileLayout) => void): Figure {
  const columnCount = Math.max(1, Math.min(columns, items.length));
  const rows = Math.max(1, Math.ceil(items.length / columnCount));
  const gap = 16;
  const width = Math.max(2 * margin + columnCount * layout.tileWidth + (columnCount - 1) * gap, 420);
  const height = titleBlockHeight(true) + rows * layout.tileHeight + (rows - 1) * gap + margin;
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);
  if (items.length === 0) {
    centredText(context, 'nothing to show', width / 2, top + 40, width - 2 * margin, 15, palette.muted);
  }
  items.forEach((item, i) => {
    const x = margin + (i % columnCount) * (layout.tileWidth + gap);
    const y = top + Math.floor(i / columnCount) * (layout.tileHeight + gap);
    paintTile(context, item, x, y, layout);
  });
  return finishFigure(canvas, name, title, description);
}

function drawTileImage(context: SKRSContext2D, image: Image, x: number, y: number, layout: TileLayout,
  borderColor: string): void {
  const left = x + (layout.tileWidth - layout.imageSize) / 2;
  drawImageScaled(context, image, left, y, layout.imageSize);
  frame(context, left, y, layout.imageSize, layout.imageSize, borderColor, 3);
}

/** Random images with their top classes as bars; green marks the true class. */
export function predictionGallery(items: PredictedImage[], classNames: string[], options:
  { name?: string; title?: string; columns?: number } = {}): Figure {
  const imageSize = items.length > 0 ? displaySize(items[0].image, 128) : 128;
  const rowsOfBars = Math.max(1, ...items.map((item) => item.top.length));
  const layout = { tileWidth: Math.max(imageSize, 176), imageSize, tileHeight: imageSize + 30 + rowsOfBars * 22 };
  const title = options.title ?? 'Predictions on random images';
  return galleryFigure(items, layout, options.columns ?? 5, options.name ?? 'predictions', title,
    `top-${rowsOfBars} classes with probabilities; green is the true class, a red frame a wrong top guess`,
    'Each image with the classes the model ranks highest. Bars show probabilities; the true class is green.',
    (context, item, x, y) => {
      const wrong = item.label !== undefined && item.top[0]?.classIndex !== item.label;
      drawTileImage(context, item.image, x, y, layout, item.label === undefined ? palette.grid : wrong ? palette.wrong : palette.correct);
      let lineY = y + imageSize + 20;
      if (item.label !== undefined) {
        centredText(context, `true: ${classNames[item.label] ?? item.label}`, x + layout.tileWidth / 2, lineY,
          layout.tileWidth, 13, palette.text, 'bold');
      }
      for (const ranked of item.top) {
        lineY += 22;
        drawProbabilityBar(context, classNames[ranked.classIndex] ?? String(ranked.classIndex), ranked.probability,
          x, lineY, layout.tileWidth, ranked.classIndex === item.label ? palette.correct : palette.bar);
      }
    });
}

/** One row: class name on the left, a bar and the percentage on the right. */
function drawProbabilityBar(context: SKRSContext2D, label: string, probability: number, x: number, y: number,
  width: number, color: string): void {
  const labelWidth = Math.round(width * 0.46);
  const barWidth = width - labelWidth - 44;
  context.font = font(12);
  context.fillStyle = palette.text;
  context.textAlign = 'left';
  fillTextFitted(context, label, x, y, labelWidth - 4);
  context.fillStyle = palette.panel;
  context.fillRect(x + labelWidth, y - 10, barWidth, 12);
  context.fillStyle = color;
  context.fillRect(x + labelWidth, y - 10, Math.max(1, barWidth * probability), 12);
  context.fillStyle = palette.muted;
  context.textAlign = 'right';
  context.fillText(`${(probability * 100).toFixed(probability < 0.095 ? 1 : 0)}%`, x + width, y);
  context.textAlign = 'left';
}

export interface Mistake {
  image: Image;
  label: number;
  predicted: number;
  /** Probability the model gave its (wrong) answer. */
  probability: number;
  /** Probability the model gave the true class. */
  trueProbability: number;
}

/** The images the model got wrong, truth in green and guess in red under each. */
export function misclassifiedGallery(items: Mistake[], classNames: string[], options:
  { name?: string; title?: string; subtitle?: string; columns?: number } = {}): Figure {
  const imageSize = items.length > 0 ? displaySize(items[0].image, 128) : 128;
  const layout = { tileWidth: Math.max(imageSize, 170), imageSize, tileHeight: imageSize + 48 };
  const title = options.title ?? 'Misclassified images';
  return galleryFigure(items, layout, options.columns ?? 6, options.name ?? 'misclassified', title,
    options.subtitle ?? 'true class (green) and what the model said (red), with its probabilities',
    'Images the model got wrong: the true class in green, the prediction in red.',
    (context, item, x, y) => {
      drawTileImage(context, item.image, x, y, layout, palette.wrong);
      const centre = x + layout.tileWidth / 2;
      const name = (index: number) => classNames[index] ?? String(index);
      centredText(context, `${name(item.label)} ${percent(item.trueProbability)}`, centre, y + imageSize + 20,
        layout.tileWidth, 13, palette.correct, 'bold');
      centredText(context, `said ${name(item.predicted)} ${percent(item.probability)}`, centre, y + imageSize + 39,
        layout.tileWidth, 13, palette.wrong, 'bold');
    });
}

function percent(probability: number): string {
  return `${Math.round(probability * 100)}%`;
}
