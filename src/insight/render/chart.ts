// Training curves from history.csv drawn straight onto canvas (axes, ticks, grid, legend):
// three small line panels need no charting library, and canvas keeps it browser-free.
import type { SKRSContext2D } from '@napi-rs/canvas';

import type { TrainingHistory } from '../history';
import {
  Figure, centredText, finishFigure, formatTick, margin, niceTicks, palette, titleBlockHeight, titledCanvas,
} from './drawing';
import { font } from './fonts';

interface Series {
  label: string;
  color: string;
  values: number[];
}

interface Panel {
  title: string;
  series: Series[];
  /** Show values as percentages (accuracy). */
  percent?: boolean;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function finite(values: number[]): number[] {
  return values.filter(Number.isFinite);
}

function drawLinePanel(context: SKRSContext2D, box: Box, epochs: number[], panel: Panel): void {
  const all = panel.series.flatMap((series) => finite(series.values));
  let low = Math.min(...all);
  let high = Math.max(...all);
  if (!(high > low)) [low, high] = [low - 0.5, high + 0.5];
  const pad = (high - low) * 0.08;
  const yTicks = niceTicks(low - pad, high + pad, 5);
  const yLow = Math.min(low - pad, yTicks[0]);
  const yHigh = Math.max(high + pad, yTicks[yTicks.length - 1]);
  const xLow = Math.min(...epochs);
  const xHigh = Math.max(...epochs, xLow + 1);
  const xTicks = niceTicks(xLow, xHigh, 6).filter((tick) => Number.isInteger(tick));
  const plot = { x: box.x + 58, y: box.y + 30, width: box.width - 70, height: box.height - 72 };
  const toX = (epoch: number) => plot.x + (epoch - xLow) / (xHigh - xLow) * plot.width;
  const toY = (value: number) => plot.y + (1 - (value - yLow) / (yHigh - yLow)) * plot.height;

  centredText(context, panel.title, box.x + box.width / 2, box.y + 16, box.width, 15, palette.text, 'bold');
  context.font = font(11);
  context.lineWidth = 1;
  context.fillStyle = palette.muted;
  context.textAlign = 'right';
  for (const tick of yTicks.filter((t) => t >= yLow && t <= yHigh)) {
    const y = Math.round(toY(tick)) + 0.5;
    context.strokeStyle = palette.grid;
    context.beginPath();
    context.moveTo(plot.x, y);
    context.lineTo(plot.x + plot.width, y);
    context.stroke();
    const label = panel.percent ? `${formatTick(tick * 100, yTicks.map((t) => t * 100))}%` : formatTick(tick, yTicks);
    context.fillText(label, plot.x - 6, y + 4);
  }
  context.textAlign = 'center';
  for (const tick of xTicks) context.fillText(String(tick), toX(tick), plot.y + plot.height + 16);
  context.fillText('epoch', plot.x + plot.width / 2, plot.y + plot.height + 34);
  context.strokeStyle = palette.faint;
  context.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.width, plot.height);

  for (const series of panel.series) {
    context.strokeStyle = series.color;
    context.fillStyle = series.color;
    context.lineWidth = 2;
    context.beginPath();
    let drawing = false;
    series.values.forEach((value, i) => {
      if (!Number.isFinite(value)) {
        drawing = false;
        return;
      }
      const [x, y] = [toX(epochs[i]), toY(value)];
      if (drawing) context.lineTo(x, y);
      else context.moveTo(x, y);
      drawing = true;
    });
    context.stroke();
    if (epochs.length <= 40) {
      series.values.forEach((value, i) => {
        if (!Number.isFinite(value)) return;
        context.beginPath();
        context.arc(toX(epochs[i]), toY(value), 2.5, 0, 2 * Math.PI);
        context.fill();
      });
    }
  }
  const points = panel.series.flatMap((series) => series.values.flatMap((value, i) =>
    (Number.isFinite(value) ? [[toX(epochs[i]), toY(value)] as [number, number]] : [])));
  drawLegend(context, panel.series, plot, points);
}

/** The legend in the right-hand corner (top or bottom) that covers fewer data points. */
function drawLegend(context: SKRSContext2D, series: Series[], plot: Box, points: Array<[number, number]>): void {
  if (series.length < 2) return;
  context.font = font(12);
  const width = Math.max(...series.map((s) => context.measureText(s.label).width)) + 36;
  const height = series.length * 18 + 6;
  const x = plot.x + plot.width - width - 8;
  const covered = (top: number) => points.filter(([px, py]) => px >= x - 4 && py >= top - 4 && py <= top + height + 4).length;
  const [topY, bottomY] = [plot.y + 8, plot.y + plot.height - height - 8];
  const y = covered(topY) <= covered(bottomY) ? topY : bottomY;
  context.fillStyle = 'rgba(255, 255, 255, 0.85)';
  context.fillRect(x, y, width, height);
  context.strokeStyle = palette.grid;
  context.lineWidth = 1;
  context.strokeRect(x + 0.5, y + 0.5, width, height);
  series.forEach((s, i) => {
    context.strokeStyle = s.color;
    context.lineWidth = 2.5;
    context.beginPath();
    context.moveTo(x + 8, y + 14 + i * 18);
    context.lineTo(x + 26, y + 14 + i * 18);
    context.stroke();
    context.fillStyle = palette.text;
    context.textAlign = 'left';
    context.fillText(s.label, x + 31, y + 18 + i * 18);
  });
}

/** The panels the history can fill: loss, accuracy, learning rate (each only if present). */
function panelsFor(history: TrainingHistory): Panel[] {
  const column = (name: string) => history.series[name] ?? [];
  const present = (series: Series) => finite(series.values).length > 0;
  const pair = (name: string, validationName: string): Series[] => [
    { label: 'training', color: palette.train, values: column(name) },
    { label: 'validation', color: palette.validation, values: column(validationName) },
  ].filter(present);
  const panels: Panel[] = [
    { title: 'loss', series: pair('loss', 'val_loss') },
    { title: 'accuracy', series: pair('acc', 'val_acc'), percent: true },
  ];
  const rates = finite(column('lr'));
  if (new Set(rates).size > 1) {
    panels.push({ title: 'learning rate', series: [{ label: 'lr', color: palette.extra, values: column('lr') }] });
  }
  return panels.filter((panel) => panel.series.length > 0);
}

/** Loss, accuracy and learning rate per epoch, training against validation. */
export function trainingCurves(history: TrainingHistory, options: { name?: string; title?: string } = {}): Figure {
  const panels = panelsFor(history);
  const panelWidth = 380;
  const panelHeight = 280;
  const width = margin * 2 + Math.max(1, panels.length) * panelWidth;
  const height = titleBlockHeight(true) + panelHeight + margin;
  const title = options.title ?? 'Training curves';
  const lastEpoch = history.epochs.length > 0 ? history.epochs[history.epochs.length - 1] : 0;
  const rates = finite(history.series.lr ?? []);
  const constantRate = rates.length > 0 && new Set(rates).size === 1 ? `; learning rate ${rates[0]} throughout` : '';
  const { canvas, context, top } = titledCanvas(width, height, title,
    `${history.epochs.length} epochs${lastEpoch ? ` (up to epoch ${lastEpoch})` : ''} from history.csv${constantRate}`);
  if (panels.length === 0 || history.epochs.length === 0) {
    centredText(context, 'history.csv has no loss, accuracy or learning-rate values to plot', width / 2, top + 80,
      width - 2 * margin, 15, palette.muted);
  }
  panels.forEach((panel, i) => drawLinePanel(context, { x: margin + i * panelWidth, y: top, width: panelWidth - 10,
    height: panelHeight }, history.epochs, panel));
  return finishFigure(canvas, options.name ?? 'training_curves', title,
    'Training against validation per epoch: a validation curve that turns up while training keeps falling means overfitting.');
}
