// The error breakdown as a heat map: rows are the true class, columns the prediction, each
// cell coloured by its share of the row so small classes read like big ones.
import { perClassAccuracy } from '../metrics';
import { colorAt, cssColor, whiteBlue } from './colormaps';
import { Figure, drawColorBar, fillTextFitted, finishFigure, margin, palette, titleBlockHeight, titledCanvas } from './drawing';
import { font } from './fonts';

export function confusionHeatmap(confusion: number[][], classNames: string[], options:
  { name?: string; title?: string; subtitle?: string } = {}): Figure {
  const classCount = confusion.length;
  const cell = classCount <= 12 ? 52 : Math.max(18, Math.floor(640 / classCount));
  const labelWidth = 110;
  const columnLabelHeight = 96;
  const accuracyWidth = 64;
  const legendWidth = 90;
  const grid = cell * classCount;
  const width = margin + 24 + labelWidth + grid + accuracyWidth + legendWidth + margin;
  const height = titleBlockHeight(true) + columnLabelHeight + grid + margin + 10;
  const title = options.title ?? 'Confusion matrix';
  const { canvas, context, top } = titledCanvas(width, height, title,
    options.subtitle ?? 'rows: true class, columns: predicted class; colour = share of the row');
  const left = margin + 24 + labelWidth;
  const gridTop = top + columnLabelHeight;
  const recall = perClassAccuracy(confusion);
  const countFont = font(cell >= 40 ? 13 : 10);

  context.font = font(13, 'bold');
  context.fillStyle = palette.muted;
  context.textAlign = 'center';
  context.fillText('predicted class', left + grid / 2, top + 14);
  context.save();
  context.translate(margin + 8, gridTop + grid / 2);
  context.rotate(-Math.PI / 2);
  context.fillText('true class', 0, 0);
  context.restore();
  context.fillText('correct', left + grid + accuracyWidth / 2 + 4, gridTop - 8);

  classNames.slice(0, classCount).forEach((name, i) => {
    context.font = font(12);
    context.fillStyle = palette.text;
    context.textAlign = 'right';
    fillTextFitted(context, name, left - 8, gridTop + i * cell + cell / 2 + 4, labelWidth - 8);
    context.save();
    context.translate(left + i * cell + cell / 2 + 4, gridTop - 8);
    context.rotate(-Math.PI / 4);
    context.textAlign = 'left';
    fillTextFitted(context, name, 0, 0, columnLabelHeight);
    context.restore();
  });

  confusion.forEach((row, trueClass) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    row.forEach((count, predictedClass) => {
      const share = total > 0 ? count / total : 0;
      const x = left + predictedClass * cell;
      const y = gridTop + trueClass * cell;
      context.fillStyle = cssColor(colorAt(whiteBlue, share));
      context.fillRect(x, y, cell, cell);
      context.fillStyle = share > 0.45 ? '#ffffff' : count === 0 ? palette.faint : palette.text;
      context.font = countFont;
      context.textAlign = 'center';
      context.fillText(String(count), x + cell / 2, y + cell / 2 + 4);
    });
    const accuracyText = Number.isNaN(recall[trueClass]) ? '–' : `${(recall[trueClass] * 100).toFixed(1)}%`;
    context.font = font(12, 'bold');
    context.fillStyle = palette.text;
    context.textAlign = 'left';
    context.fillText(accuracyText, left + grid + 10, gridTop + trueClass * cell + cell / 2 + 4);
  });
  context.strokeStyle = palette.text;
  context.lineWidth = 1.5;
  for (let i = 0; i < classCount; i++) context.strokeRect(left + i * cell, gridTop + i * cell, cell, cell);
  context.strokeStyle = palette.grid;
  context.strokeRect(left, gridTop, grid, grid);

  drawColorBar(context, whiteBlue, {
    x: left + grid + accuracyWidth + 14, y: gridTop + 10, width: 16, height: Math.min(grid - 10, 260),
    low: 0, high: 1, label: 'share',
  });
  return finishFigure(canvas, options.name ?? 'confusion_matrix', title,
    'Each row is one true class: the diagonal counts the images the model got right, the rest show what it took them for.');
}
