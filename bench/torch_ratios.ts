// The arithmetic of `npm run bench:torch`: the JSON lines torch_reference.py and `npm run
// bench` print, paired up minute by minute, as convkit / PyTorch ratios.

/** What one engine printed for one model: images per second. */
export interface Throughput {
  model: string;
  train: number;
  infer: number;
}

/** One minute: PyTorch as shipped, PyTorch with glibc keeping its memory, and convkit. */
export interface Round {
  time: string;
  shipped: Throughput[];
  kept: Throughput[];
  convkit: Throughput[];
}

export interface RatioRow {
  time: string;
  model: string;
  shipped: Throughput;
  kept: Throughput;
  convkit: Throughput;
  /** convkit / PyTorch, training and inference, against each PyTorch run. */
  trainShipped: number;
  trainKept: number;
  inferShipped: number;
  inferKept: number;
}

/** The throughputs in a program's output: its lines that are JSON objects with a model and images/s. */
export function parseThroughputs(output: string): Throughput[] {
  const found: Throughput[] = [];
  for (const line of output.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    const record = parsed as Record<string, unknown>;
    const { model, train_img_per_s: train, infer_img_per_s: infer } = record;
    if (typeof model === 'string' && typeof train === 'number' && typeof infer === 'number') {
      found.push({ model, train, infer });
    }
  }
  return found;
}

/** A row per round and model that all three runs measured. */
export function ratioRows(rounds: Round[]): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const round of rounds) {
    for (const convkit of round.convkit) {
      const shipped = round.shipped.find((t) => t.model === convkit.model);
      const kept = round.kept.find((t) => t.model === convkit.model);
      if (!shipped || !kept) continue;
      rows.push({
        time: round.time, model: convkit.model, shipped, kept, convkit,
        trainShipped: convkit.train / shipped.train, trainKept: convkit.train / kept.train,
        inferShipped: convkit.infer / shipped.infer, inferKept: convkit.infer / kept.infer,
      });
    }
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface RatioSummary {
  model: string;
  minutes: number;
  /** Per ratio (trainShipped, trainKept, inferShipped, inferKept): its median, lowest, and minutes at the target or above. */
  ratios: Record<'trainShipped' | 'trainKept' | 'inferShipped' | 'inferKept', { median: number; lowest: number; atTarget: number }>;
}

export function summarize(rows: RatioRow[], target: number): RatioSummary[] {
  const models = [...new Set(rows.map((r) => r.model))];
  return models.map((model) => {
    const mine = rows.filter((r) => r.model === model);
    const of = (key: 'trainShipped' | 'trainKept' | 'inferShipped' | 'inferKept') => {
      const values = mine.map((r) => r[key]);
      return { median: median(values), lowest: Math.min(...values), atTarget: values.filter((v) => v >= target).length };
    };
    return {
      model, minutes: mine.length,
      ratios: { trainShipped: of('trainShipped'), trainKept: of('trainKept'), inferShipped: of('inferShipped'), inferKept: of('inferKept') },
    };
  });
}

/** The rows as a Markdown table. */
export function ratioTable(rows: RatioRow[]): string {
  const pair = (t: Throughput) => `${t.train} / ${t.infer}`;
  const x = (v: number) => `${v.toFixed(2)}x`;
  return [
    '| time | model | PyTorch as shipped (train / infer) | PyTorch, memory kept | convkit | train: shipped / kept | infer: shipped / kept |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.time} | ${r.model} | ${pair(r.shipped)} | ${pair(r.kept)} | ${pair(r.convkit)} | ` +
      `${x(r.trainShipped)} / ${x(r.trainKept)} | ${x(r.inferShipped)} / ${x(r.inferKept)} |`),
  ].join('\n');
}
