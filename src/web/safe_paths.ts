// Turning URL path segments into files without ever leaving a given folder: every segment
// is decoded once and must be a plain name (no '..', no slashes hidden as %2F, no NUL),
// and the real path (symbolic links followed) must still lie inside the folder.
import * as fs from 'fs';
import * as path from 'path';

/** A decoded path segment that names a file or folder, or null for anything else. */
export function plainSegment(raw: string): string | null {
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    return null;  // malformed %-escape
  }
  if (segment === '' || segment === '.' || segment === '..') return null;
  if (/[/\\\0]/.test(segment) || segment.includes(':')) return null;
  return segment;
}

/** Whether `child` is `parent` itself or lies somewhere below it. */
function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The existing file or folder that `rawSegments` (still %-encoded) names inside `root`,
 * or null when any segment is not plain, it does not exist, or it resolves outside.
 */
export function resolveInside(root: string, rawSegments: string[]): string | null {
  const segments: string[] = [];
  for (const raw of rawSegments) {
    const segment = plainSegment(raw);
    if (segment === null) return null;
    segments.push(segment);
  }
  try {
    const realRoot = fs.realpathSync(root);
    const target = fs.realpathSync(path.join(realRoot, ...segments));
    return isInside(realRoot, target) ? target : null;
  } catch {
    return null;
  }
}
