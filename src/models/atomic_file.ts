// Crash-safe file writes: a reader sees either the old file or the complete new one, even
// when the process is killed (SIGKILL) or the machine loses power half-way through.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Marks temporary files so a later save can remove the ones a crash left behind. */
export const TEMP_MARKER = '.tmp-';

/** Writes to a temporary file, flushes it to disk, then renames it over `file`. */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const temp = `${file}${TEMP_MARKER}${process.pid}`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

/** Flushes a folder's entries (renames, new files) so they survive a power cut. */
export function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the renames are still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Flushes an existing file written by someone else (e.g. the HDF5 library). */
export function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Removes `name` + TEMP_MARKER + pid files left in `folder` by crashed saves. */
export function removeStaleTempFiles(folder: string): void {
  for (const name of fs.readdirSync(folder)) {
    if (name.includes(TEMP_MARKER)) fs.rmSync(path.join(folder, name), { force: true });
  }
}
