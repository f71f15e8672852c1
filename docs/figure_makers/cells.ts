// Drawing pieces the tutorial's figures share: grids of numbers in cells, a black-to-white
// colour map, arrows, operator signs and titles that fit. Everything else comes from
// convkit's own renderer (src/insight/render).
import { SKRSContext2D, createCanvas } from '@napi-rs/canvas';

import type { ColorMap } from '../../src/insight/render';
import { centredText, margin, palette } from '../../src/insight/render/drawing';
import { font } from '../../src/insight/render/fonts';

/** Black to white, for "how strong" maps the way the tutorial's article draws them. */
export const blackToWhite: ColorMap = { name: 'grey', anchors: [[0, 0, 0], [255, 255, 255]] };

/** The value with `decimals` decimals, never "-0.00": that reads as a mistake to a newcomer. */
export function fixed(value: number, decimals: number): string {
  const rounded = Number(value.toFixed(decimals));
  return (rounded === 0 ? 0 : rounded).toFixed(decimals);
}

export interface GridStyle {
  cell: number;
  decimals: number;
  fontSize?: number;
  /** Background of a cell; white when undefined. */
  fill?: (row: number, column: number) => string | undefined;
  bold?: (row: number, column: number) => boolean;
  /** Colour of the grid lines and the outer frame. */
  lineColor?: string;
}

/** Rows of numbers, one per cell, with grid lines; returns the grid's width and height. */
export function drawNumberGrid(context: SKRSContext2D, values: number[][], x: number, y: number, style: GridStyle):
  { width: number; height: number } {
  const rows = values.length;
  const columns = values[0]?.length ?? 0;
  const { cell } = style;
  values.forEach((row, r) => row.forEach((value, c) => {
    context.fillStyle = style.fill?.(r, c) ?? '#ffffff';
    context.fillRect(x + c * cell, y + r * cell, cell, cell);
    const text = fixed(value, style.decimals);
    centredText(context, text, x + c * cell + cell / 2, y + r * cell + cell / 2 + (style.fontSize ?? 13) * 0.36, cell - 2,
      style.fontSize ?? 13, palette.text, style.bold?.(r, c) ? 'bold' : 'normal');
  }));
  context.strokeStyle = style.lineColor ?? palette.faint;
  context.lineWidth = 1;
  for (let r = 0; r <= rows; r++) line(context, x, y + r * cell, x + columns * cell, y + r * cell);
  for (let c = 0; c <= columns; c++) line(context, x + c * cell, y, x + c * cell, y + rows * cell);
  return { width: columns * cell, height: rows * cell };
}

function line(context: SKRSContext2D, x1: number, y1: number, x2: number, y2: number): void {
  context.beginPath();
  context.moveTo(Math.round(x1) + 0.5, Math.round(y1) + 0.5);
  context.lineTo(Math.round(x2) + 0.5, Math.round(y2) + 0.5);
  context.stroke();
}

/** A horizontal arrow from x1 to x2 at height y, with an optional label above it. */
export function arrow(context: SKRSContext2D, x1: number, x2: number, y: number, label?: string): void {
  context.strokeStyle = palette.muted;
  context.fillStyle = palette.muted;
  context.lineWidth = 2;
  context.beginPath();
  context.moveTo(x1, y);
  context.lineTo(x2 - 8, y);
  context.stroke();
  context.beginPath();
  context.moveTo(x2, y);
  context.lineTo(x2 - 10, y - 6);
  context.lineTo(x2 - 10, y + 6);
  context.closePath();
  context.fill();
  if (label) centredText(context, label, (x1 + x2) / 2, y - 10, Math.abs(x2 - x1) + 40, 12, palette.muted);
}

/** A large operator sign (×, =, +) centred at (x, y). */
export function operatorSign(context: SKRSContext2D, sign: string, x: number, y: number): void {
  context.font = font(24, 'bold');
  context.fillStyle = palette.muted;
  context.textAlign = 'center';
  context.fillText(sign, x, y + 8);
  context.textAlign = 'left';
}

/** A rectangle outline in `color`, drawn inside the given box. */
export function outline(context: SKRSContext2D, x: number, y: number, width: number, height: number, color: string,
  lineWidth = 3): void {
  context.strokeStyle = color;
  context.lineWidth = lineWidth;
  context.strokeRect(x + lineWidth / 2, y + lineWidth / 2, width - lineWidth, height - lineWidth);
}

/** A caption line in the muted colour, centred under a panel. */
export function caption(context: SKRSContext2D, text: string, centreX: number, y: number, maxWidth: number): void {
  centredText(context, text, centreX, y, maxWidth, 13, palette.muted);
}

/** A figure width that fits the content and shows the title and subtitle uncut. */
export function widthForTitles(contentWidth: number, title: string, subtitle: string): number {
  const context = createCanvas(1, 1).getContext('2d');
  context.font = font(20, 'bold');
  const titleWidth = context.measureText(title).width;
  context.font = font(14);
  const subtitleWidth = context.measureText(subtitle).width;
  return Math.ceil(Math.max(contentWidth, titleWidth + 2 * margin + 4, subtitleWidth + 2 * margin + 4));
}
