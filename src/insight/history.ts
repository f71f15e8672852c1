// Reads a run's history.csv (epoch, loss, acc, val_loss, val_acc, lr) for the training
// curves; any column may be missing and blank cells are allowed.
import * as fs from 'fs';

import { ConvkitError } from '../errors';

export interface TrainingHistory {
  /** Epoch numbers, one per row (1, 2, ... when the file has no epoch column). */
  epochs: number[];
  /** Every other column by its header name; NaN where a cell is blank or not a number. */
  series: Record<string, number[]>;
}

/** Header spellings Keras and others use, mapped to convkit's. */
const aliases: Record<string, string> = { accuracy: 'acc', val_accuracy: 'val_acc', learning_rate: 'lr' };

export function parseHistoryCsv(text: string): TrainingHistory {
  const rows = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  if (rows.length === 0) return { epochs: [], series: {} };
  const headers = rows[0].split(',').map((name) => aliases[name.trim().toLowerCase()] ?? name.trim().toLowerCase());
  const columns = headers.map(() => [] as number[]);
  for (const row of rows.slice(1)) {
    const cells = row.split(',');
    headers.forEach((_, i) => {
      const cell = (cells[i] ?? '').trim();
      columns[i].push(cell === '' ? NaN : Number(cell));
    });
  }
  const epochColumn = headers.indexOf('epoch');
  const series: Record<string, number[]> = {};
  headers.forEach((name, i) => { if (i !== epochColumn) series[name] = columns[i]; });
  const epochs = epochColumn >= 0 ? columns[epochColumn] : columns[0]?.map((_, i) => i + 1) ?? [];
  return { epochs, series };
}

/** The history of a run folder, or undefined when it has no history.csv. */
export function readHistory(file: string): TrainingHistory | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return parseHistoryCsv(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConvkitError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
