// Flag value parsers shared by the commands; commander prints their message next to the flag.
import { InvalidArgumentError } from 'commander';

import { TTA_LEVELS, TtaLevel } from '../insight/tta';

/** A whole number in [minimum, maximum]. */
export function wholeNumber(minimum: number, maximum = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
      throw new InvalidArgumentError(maximum === Number.MAX_SAFE_INTEGER
        ? `expected a whole number >= ${minimum}` : `expected a whole number from ${minimum} to ${maximum}`);
    }
    return value;
  };
}

/** A TCP port; 0 asks the system for any free one. */
export const portNumber = wholeNumber(0, 65535);

export function positiveNumber(text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidArgumentError('expected a positive number, e.g. 0.001');
  return value;
}

/** A number in [0, 1). */
export function fraction(text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value >= 0 && value < 1)) throw new InvalidArgumentError('expected a number from 0 up to (not including) 1, e.g. 0.1');
  return value;
}

export const TTA_HELP = 'test-time augmentation: 0 none, 1 mirror (average with the mirror image), ' +
  '2 mirror + translate (also one-pixel shifted copies)';

/** --tta: a test-time augmentation level (see insight/tta.ts). */
export function ttaLevel(text: string): TtaLevel {
  const level = Number(text);
  if (text.trim() === '' || !TTA_LEVELS.includes(level as TtaLevel)) {
    throw new InvalidArgumentError('expected 0 (none), 1 (mirror: the image and its mirror image) or 2 (mirror and translate)');
  }
  return level as TtaLevel;
}
