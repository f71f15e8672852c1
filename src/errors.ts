/**
 * An error the user can act on: bad input, a missing file, a wrong flag. The CLI prints
 * its message alone (no stack trace) and exits with a non-zero code.
 */
export class ConvkitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConvkitError';
  }
}
