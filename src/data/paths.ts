// Where convkit looks for data: the cache folder, the package root, and path checks that
// turn "no such file" into a message naming the path.
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { ConvkitError } from '../errors';

/** `cacheDir` option, else env CONVKIT_CACHE, else ~/.cache/convkit. */
export function resolveCacheDir(cacheDir?: string): string {
  return resolve(cacheDir ?? process.env.CONVKIT_CACHE ?? join(homedir(), '.cache', 'convkit'));
}

/** The folder holding convkit's package.json, whether running from src/ (tsx) or dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'convkit') return dir;
      } catch { /* an unreadable package.json is not ours; keep walking up */ }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(__dirname, '..', '..');
    dir = parent;
  }
}

/** stat() that names the path in a ConvkitError instead of throwing ENOENT. */
export function statOrThrow(path: string, what: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ConvkitError(`${what} ${path} ${reason}`, { cause: error });
  }
}

/** A log function for library calls that were not given one: info lines go to stderr. */
export function defaultLog(line: string): void {
  console.error(line);
}
