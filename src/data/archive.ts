// Reads regular files out of a .tar / .tar.gz in-stream, without extracting anything to
// disk, so no archive entry can ever write outside a folder. Memory stays bounded: the
// consumer pulls files one by one and each file has a size cap.
import { createReadStream } from 'node:fs';
import { Parser, type ReadEntry } from 'tar';

import { ConvkitError } from '../errors';

export interface ArchiveFile {
  /** Normalised relative path inside the archive, '/'-separated, no '.' or '..' parts. */
  path: string;
  data: Buffer;
}

export interface ArchiveReadOptions {
  /** Which files to read (by normalised path and declared size); the rest are skipped unread. */
  accept: (path: string, size: number) => boolean;
  /** A larger accepted file is an error: a corrupt header must not make us allocate gigabytes. */
  maxFileBytes: number;
  /** Called with each directory entry's normalised path (folders can be empty, hence no files). */
  onDirectory?: (path: string) => void;
  /** Checked after each chunk: once it returns true, reading stops early (e.g. after a peek). */
  until?: () => boolean;
  /** Told about odd but harmless things, such as entries with unsafe paths that were ignored. */
  warn?: (line: string) => void;
}

export function isArchivePath(path: string): boolean {
  return /\.(tar\.gz|tgz|tar)$/i.test(path);
}

/**
 * The safe relative form of an entry path, or undefined for paths that would leave the
 * archive's root (absolute, drive letters, '..'): those are never read.
 */
export function safeEntryPath(entryPath: string): string | undefined {
  const parts = entryPath.replace(/\\/g, '/').split('/');
  if (parts[0] === '' && parts.length > 1 && entryPath.startsWith('/')) return undefined;
  if (/^[a-zA-Z]:$/.test(parts[0] ?? '')) return undefined;
  const kept: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    kept.push(part);
  }
  return kept.length > 0 ? kept.join('/') : undefined;
}

function archiveError(archivePath: string, detail: string, cause?: unknown): ConvkitError {
  return new ConvkitError(`${archivePath}: not a readable .tar.gz archive (${detail})`, { cause });
}

/** Yields the accepted regular files of a tar archive (gzip-compressed or not) in archive order. */
export async function* readArchiveFiles(archivePath: string, options: ArchiveReadOptions): AsyncGenerator<ArchiveFile> {
  // strict: a damaged header or a truncated stream is an error, never a silently shorter dataset.
  const parser = new Parser({ strict: true });
  const ready: ArchiveFile[] = [];
  let failure: ConvkitError | undefined;
  let unsafeEntries = 0;
  let sawEntry = false;
  let ended = false;
  const fail = (error: ConvkitError) => { failure ??= error; };

  parser.on('entry', (entry: ReadEntry) => {
    sawEntry = true;
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
      if (entry.type === 'Directory') {
        const path = safeEntryPath(entry.path);
        if (path !== undefined) options.onDirectory?.(path);
      }
      entry.resume();
      return;
    }
    const path = safeEntryPath(entry.path);
    if (path === undefined) unsafeEntries++;
    if (path === undefined || !options.accept(path, entry.size)) {
      entry.resume();
      return;
    }
    if (entry.size > options.maxFileBytes) {
      fail(archiveError(archivePath, `entry ${path} declares ${entry.size} bytes, more than the ${options.maxFileBytes} allowed`));
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    entry.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= entry.size) chunks.push(chunk);
    });
    entry.on('end', () => {
      if (received !== entry.size) fail(archiveError(archivePath, `entry ${path} is truncated: ${received} of ${entry.size} bytes`));
      else ready.push({ path, data: Buffer.concat(chunks, received) });
    });
  });
  parser.on('error', (error: Error & { code?: string }) => fail(archiveError(archivePath, error.message, error)));
  const finished = new Promise<void>((resolve) => {
    parser.on('end', () => { ended = true; resolve(); });
    parser.on('error', () => resolve());
  });

  const stream = createReadStream(archivePath, { highWaterMark: 1 << 18 });
  try {
    let position = 0;
    for await (const chunk of stream) {
      parser.write(chunk as Buffer);
      if (failure) throw failure;
      // Hand out what this chunk completed before reading more: the consumer sets the pace.
      while (position < ready.length) yield ready[position++];
      ready.length = 0;
      position = 0;
      if (options.until?.()) return;
    }
    parser.end();
    await finished;
    if (failure) throw failure;
    if (!ended) throw archiveError(archivePath, 'the tar stream did not end cleanly');
    for (const file of ready) yield file;
    if (!sawEntry) throw archiveError(archivePath, 'no entries found');
    if (unsafeEntries > 0) {
      // Not fatal (nothing was extracted), but worth knowing: the archive is odd.
      options.warn?.(`${archivePath}: ignored ${unsafeEntries} entries with absolute or '..' paths`);
    }
  } catch (error) {
    if (error instanceof ConvkitError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConvkitError(`${archivePath}: no such file`);
    throw archiveError(archivePath, (error as Error).message, error);
  } finally {
    stream.destroy();
  }
}
