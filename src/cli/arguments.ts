// Flag value parsers shared by the commands; commander prints their message next to the flag.
import { InvalidArgumentError } from 'commander';

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
