// Terminal output for `convkit evaluate`: accuracies and the confusion matrix as aligned
// plain-text tables with class names.
import type { Evaluation } from '../evaluation';

function percent(value: number): string {
  return Number.isNaN(value) ? '-' : `${(value * 100).toFixed(2)}%`;
}

/** Left-aligns the first column and right-aligns the rest. */
export function alignColumns(rows: string[][], gap = 2): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column])
    : cell.padStart(widths[column]))).join(' '.repeat(gap)).trimEnd()).join('\n');
}

/** counts[true][predicted] under class-name headers, with each row's accuracy at the end. */
export function formatConfusionTable(confusion: number[][], classNames: string[], perClass: number[]): string {
  const header = ['true \\ predicted', ...classNames, 'accuracy'];
  const rows = confusion.map((row, i) => [classNames[i] ?? String(i), ...row.map(String), percent(perClass[i])]);
  return alignColumns([header, ...rows], 1);
}

export function formatEvaluation(evaluation: Evaluation): string {
  const accuracyRows = [['split', 'images', 'accuracy'],
    ...evaluation.splits.map((split) => [split.name, String(split.count), percent(split.accuracy)])];
  return [
    alignColumns(accuracyRows),
    '',
    `Per class and error breakdown on the ${evaluation.detailed} images (rows: true class, columns: predicted class):`,
    '',
    formatConfusionTable(evaluation.confusion, evaluation.classNames, evaluation.perClass),
  ].join('\n');
}
