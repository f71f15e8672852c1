// Learning-rate schedules as pure functions of the training position, so a resumed run
// recomputes exactly the rate the uninterrupted run used: the position is the state.
import { ConvkitError } from '../errors';

export interface SchedulePosition {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based batch within the epoch. */
  batch: number;
  stepsPerEpoch: number;
  epochs: number;
}

export type Schedule = (position: SchedulePosition) => number;

/** The serialisable description of a schedule, as the CLI and run files hold it. */
export type ScheduleConfig =
  | { kind: 'constant' }
  | { kind: 'step'; every: number; factor: number }
  | { kind: 'cosine'; minimum: number }
  | { kind: 'one-cycle'; warmup: number; divFactor: number; finalDivFactor: number }
  /** Fractions: of the total steps for peakAt, of the base rate for start and end. */
  | { kind: 'triangle'; peakAt: number; start: number; end: number };

export const SCHEDULE_KINDS = ['constant', 'step', 'cosine', 'one-cycle', 'triangle'] as const;

/** Training progress in [0, 1), counted in batches. */
function progress(p: SchedulePosition): number {
  return (p.epoch + p.batch / p.stepsPerEpoch) / p.epochs;
}

function cosineBetween(from: number, to: number, t: number): number {
  return to + (from - to) * (1 + Math.cos(Math.PI * t)) / 2;
}

/** Multiplies the rate by `factor` every `every` epochs (Keras's step decay). */
export function stepDecay(initial: number, every: number, factor: number): Schedule {
  return (p) => initial * factor ** Math.floor(p.epoch / every);
}

/** Half a cosine from `initial` down to `minimum`, batch by batch over the whole run. */
export function cosineDecay(initial: number, minimum = 0): Schedule {
  return (p) => cosineBetween(initial, minimum, progress(p));
}

/**
 * Smith's one-cycle policy (as PyTorch's OneCycleLR, cosine annealing): from
 * maximum/divFactor up to `maximum` over the first `warmup` fraction, then down to
 * maximum/(divFactor*finalDivFactor).
 */
export function oneCycle(maximum: number, warmup = 0.3, divFactor = 25, finalDivFactor = 1e4): Schedule {
  const start = maximum / divFactor;
  const end = start / finalDivFactor;
  return (p) => {
    const t = progress(p);
    return t < warmup ? cosineBetween(start, maximum, t / warmup) : cosineBetween(maximum, end, (t - warmup) / (1 - warmup));
  };
}

/**
 * airbench's triangle (arXiv 2404.00498): the rate rises linearly from start * peak to
 * `peak` over the first `peakAt` of the run's optimizer steps, then falls linearly towards
 * end * peak, which it reaches at the end of the run (so the last step trains just above
 * it). As airbench's, the peak is at step floor(peakAt * total steps).
 */
export function triangle(peak: number, peakAt = 0.23, start = 0.2, end = 0.07): Schedule {
  return (p) => {
    const total = p.epochs * p.stepsPerEpoch;
    const step = p.epoch * p.stepsPerEpoch + p.batch;
    const peakStep = Math.floor(peakAt * total);
    const multiplier = step < peakStep
      ? start + (1 - start) * step / peakStep
      : 1 + (end - 1) * (step - peakStep) / Math.max(total - peakStep, 1);
    return peak * multiplier;
  };
}

/** The schedule a config describes, around the base rate `learningRate`. */
export function scheduleFromConfig(config: ScheduleConfig, learningRate: number): Schedule {
  switch (config.kind) {
    case 'constant': return () => learningRate;
    case 'step': return stepDecay(learningRate, config.every, config.factor);
    case 'cosine': return cosineDecay(learningRate, config.minimum);
    case 'one-cycle': return oneCycle(learningRate, config.warmup, config.divFactor, config.finalDivFactor);
    case 'triangle': return triangle(learningRate, config.peakAt, config.start, config.end);
  }
}

/** The triangle's fractions: 0 <= peakAt <= 1 and rates from 0 up (airbench's default triangle starts and ends at 0). */
function parseTriangle(spec: string, args: string[]): ScheduleConfig {
  const numbers = args.map((arg) => (arg.trim() === '' ? NaN : Number(arg)));
  const [peakAt = 0.23, start = 0.2, end = 0.07] = numbers;
  if (numbers.length > 3 || !numbers.every((n) => Number.isFinite(n) && n >= 0) || peakAt > 1) {
    throw new ConvkitError(`--schedule ${spec}: triangle takes up to three numbers, PEAK_AT from 0 to 1 and START and END >= 0 ` +
      '(fractions of the rate), e.g. triangle:0.23:0.2:0.07');
  }
  return { kind: 'triangle', peakAt, start, end };
}

/** Parses the CLI's --schedule: constant | step[:EVERY[:FACTOR]] | cosine | one-cycle[:WARMUP] | triangle[:PEAK_AT[:START[:END]]]. */
export function parseScheduleSpec(spec: string): ScheduleConfig {
  const [kind, ...args] = spec.split(':');
  const numbers = args.map(Number);
  if (kind === 'triangle') return parseTriangle(spec, args);
  if (numbers.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw new ConvkitError(`--schedule ${spec}: the values after ':' must be positive numbers`);
  }
  switch (kind) {
    case 'constant': return { kind };
    case 'step': return { kind, every: Math.round(numbers[0] ?? 10), factor: numbers[1] ?? 0.5 };
    case 'cosine': return { kind, minimum: 0 };
    case 'one-cycle': return { kind, warmup: Math.min(numbers[0] ?? 0.3, 0.99), divFactor: 25, finalDivFactor: 1e4 };
    default:
      throw new ConvkitError(`unknown schedule '${spec}': use ${SCHEDULE_KINDS.join(', ')} (e.g. step:10:0.5, one-cycle:0.3, triangle:0.23:0.2:0.07)`);
  }
}
