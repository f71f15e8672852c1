// The table Keras's model.summary() prints: one row per layer with its name and type,
// output shape and parameter count, then the totals.
import * as tfl from '@tensorflow/tfjs-layers';

function formatShape(shape: tfl.Shape | tfl.Shape[]): string {
  const one = (s: tfl.Shape) => `(${s.map((d) => (d == null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;
  return Array.isArray(shape[0]) ? (shape as tfl.Shape[]).map(one).join(', ') : one(shape as tfl.Shape);
}

/** 1250858 -> "1,250,858", as Keras prints counts. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

function countWeights(weights: tfl.LayerVariable[]): number {
  return weights.reduce((total, w) => total + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** The summary as text (no trailing newline). */
export function formatSummary(model: tfl.LayersModel): string {
  const rows = model.layers.map((layer) => [
    `${layer.name} (${layer.getClassName()})`,
    formatShape(layer.outputShape),
    formatCount(layer.countParams()),
  ]);
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  // Keras's widths (29, 26, 10) unless a row needs more.
  const widths = [29, 26, 10].map((minimum, column) =>
    Math.max(minimum, ...[header, ...rows].map((row) => row[column].length + 1)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('').trimEnd();
  const total = widths.reduce((a, b) => a + b, 0);
  const thin = '_'.repeat(total);
  const thick = '='.repeat(total);
  const trainable = countWeights(model.trainableWeights);
  const lines = [`Model: "${model.name}"`, thin, line(header), thick];
  rows.forEach((row, i) => lines.push(line(row), i === rows.length - 1 ? thick : thin));
  lines.push(
    `Total params: ${formatCount(trainable + countWeights(model.nonTrainableWeights))}`,
    `Trainable params: ${formatCount(trainable)}`,
    `Non-trainable params: ${formatCount(countWeights(model.nonTrainableWeights))}`,
    thin,
  );
  return lines.join('\n');
}
