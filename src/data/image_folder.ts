// Class-per-folder trees of JPEG/PNG images of any size, read from a folder or straight out
// of a .tar.gz, decoded and resized with sharp (plain JPEGs at the target size by a faster
// decoder, jpeg_decoder.ts), and cached as raw bytes so the next load
// is one file read. Class names are the folder names, sorted (as Keras does).
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';

import { ConvkitError } from '../errors';
import { isArchivePath, readArchiveFiles } from './archive';
import { readImageCache, writeImageCache } from './image_cache';
import { createFastJpegDecoder, type FastJpegDecode } from './jpeg_decoder';
import { defaultLog, resolveCacheDir, statOrThrow } from './paths';
import type { ImageSet } from './types';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];
/** A larger single image is skipped: no real training picture needs it, and it bounds memory. */
const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;
/** Refuse images that would decode to more pixels than this (a tiny file can declare a huge size). */
const MAX_INPUT_PIXELS = 50_000_000;
const DECODE_CONCURRENCY = 8;
/** The largest Uint8Array Node allocates (2^32 - 1 bytes) bounds one decoded dataset. */
const MAX_DATASET_BYTES = 2 ** 32 - 1;
const EXAMPLES_IN_WARNINGS = 5;

export interface ImageFolderOptions {
  /** [height, width] every image is resized to (stretched, like Keras). Default [32, 32]. */
  size?: [number, number];
  /** 3 (RGB, default) or 1 (grey). */
  channels?: 1 | 3;
  /** Default: env CONVKIT_CACHE, else ~/.cache/convkit. */
  cacheDir?: string;
  /** Set false to neither read nor write the decoded cache. */
  cache?: boolean;
  log?: (line: string) => void;
}

export interface ImageFolderData {
  /**
   * All images, ordered round-robin over the classes (each class in sorted file-name order),
   * so the first N images of the set are balanced across classes.
   */
  set: ImageSet;
  classNames: string[];
  source: string;
  /** What was left out, for reports: unreadable images and files that are not images. */
  skipped: { corrupt: number; nonImage: number };
  fromCache: boolean;
}

export function isImageFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Hidden folders and macOS archive litter are never classes. */
function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX';
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Decides which folder holds the class folders: starting at the top, it steps through
 * wrapper folders (a single sub-folder, no images, e.g. `train/`) until the class level.
 * Returns that folder ('' = top) and the sorted class folder names below it.
 */
export function findClassFolders(imagePaths: string[], folderPaths: string[]): { root: string; classNames: string[] } {
  const children = new Map<string, Set<string>>();
  const imagesDirectlyIn = new Set<string>();
  const addFolder = (folder: string) => {
    while (folder !== '') {
      const parent = parentOf(folder);
      const siblings = children.get(parent) ?? new Set<string>();
      if (siblings.has(folder)) return;
      siblings.add(folder);
      children.set(parent, siblings);
      folder = parent;
    }
  };
  for (const folder of folderPaths) addFolder(folder);
  for (const image of imagePaths) {
    addFolder(parentOf(image));
    imagesDirectlyIn.add(parentOf(image));
  }
  const visibleChildren = (folder: string) =>
    [...(children.get(folder) ?? [])].filter((child) => !isIgnoredName(basename(child)));
  let root = '';
  for (;;) {
    const below = visibleChildren(root);
    if (below.length !== 1 || imagesDirectlyIn.has(root) || visibleChildren(below[0]).length === 0) break;
    root = below[0];
  }
  const classNames = visibleChildren(root).map((folder) => basename(folder)).sort();
  return { root, classNames };
}

interface DecodeTarget {
  height: number;
  width: number;
  channels: 1 | 3;
}

/** Decoded pixels, or the reason the bytes are not a usable image. */
async function decodeImage(data: Buffer, target: DecodeTarget, fastJpeg: FastJpegDecode | undefined): Promise<Buffer | string> {
  const plainJpeg = fastJpeg?.(data, target.width, target.height);
  if (plainJpeg) return plainJpeg;
  try {
    let pipeline = sharp(data, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).removeAlpha();
    pipeline = target.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    const { data: pixels, info } = await pipeline
      .resize(target.width, target.height, { fit: 'fill' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== target.width || info.height !== target.height || info.channels !== target.channels ||
        pixels.length !== target.width * target.height * target.channels) {
      return `decoded to ${info.width}x${info.height}x${info.channels}, not ${target.width}x${target.height}x${target.channels}`;
    }
    return pixels;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/** Runs `work` over the items with at most `limit` in flight; `work` must not reject. */
async function forEachConcurrently<T>(items: AsyncIterable<T> | Iterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const item of items) {
    const task: Promise<void> = work(item).finally(() => running.delete(task));
    running.add(task);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
}

/** A file of the source: its relative path and a way to get its bytes (or why not). */
interface SourceFile {
  path: string;
  read: () => Promise<Buffer | string>;
}

interface SourceListing {
  /** Regular files, in no particular order; archives stream them. */
  files: AsyncIterable<SourceFile> | Iterable<SourceFile>;
  folders: string[];
  /** Changes when the source changes (mtime, size): part of the cache key. */
  fingerprint: string;
}

async function readFileBounded(file: string): Promise<Buffer | string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_IMAGE_FILE_BYTES) return `${size} bytes is too large for an image`;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Walks a folder tree; directory mtimes (which change when files come or go) fingerprint it. */
async function listFolder(rootPath: string): Promise<SourceListing> {
  const files: SourceFile[] = [];
  const folders: string[] = [];
  const mtimes: number[] = [];
  const walk = async (relative: string) => {
    const absolute = relative === '' ? rootPath : join(rootPath, relative);
    let entries: Dirent[];
    try {
      mtimes.push((await stat(absolute)).mtimeMs);
      entries = await readdir(absolute, { withFileTypes: true });
    } catch (error) {
      throw new ConvkitError(`${absolute}: cannot list this folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
    }
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        folders.push(child);
        await walk(child);
      } else if (entry.isFile()) {
        files.push({ path: child, read: () => readFileBounded(join(rootPath, child)) });
      }
    }
  };
  await walk('');
  return { files, folders, fingerprint: `folder:${files.length}:${Math.max(...mtimes)}` };
}

function listArchive(archivePath: string, log: (line: string) => void): SourceListing {
  const { size, mtimeMs } = statOrThrow(archivePath, 'image archive');
  const folders: string[] = [];
  const oversized: string[] = [];
  const entries = readArchiveFiles(archivePath, {
    // Oversized entries are not read; they are reported like unreadable files below.
    accept: (path, bytes) => {
      if (bytes <= MAX_IMAGE_FILE_BYTES) return true;
      oversized.push(path);
      return false;
    },
    maxFileBytes: MAX_IMAGE_FILE_BYTES,
    onDirectory: (path) => folders.push(path),
    warn: log,
  });
  async function* files(): AsyncGenerator<SourceFile> {
    for await (const file of entries) yield { path: file.path, read: async () => file.data };
    for (const path of oversized) yield { path, read: async () => 'too large for an image' };
  }
  return { files: files(), folders, fingerprint: `archive:${size}:${mtimeMs}` };
}

function describeExamples(examples: string[], total: number): string {
  const more = total > examples.length ? `, and ${total - examples.length} more` : '';
  return `${examples.join('; ')}${more}`;
}

/** Decodes every image of the listing, then assigns labels from the class folders. */
async function decodeSource(source: string, listing: SourceListing, target: DecodeTarget, log: (line: string) => void):
    Promise<Omit<ImageFolderData, 'fromCache'>> {
  const decoded = new Map<string, Buffer>();
  const corrupt: string[] = [];
  const nonImages: string[] = [];
  let corruptCount = 0;
  const started = Date.now();
  let nextReport = 10_000;
  const fastJpeg = target.channels === 3 ? await createFastJpegDecoder() : undefined;
  await forEachConcurrently(listing.files, DECODE_CONCURRENCY, async (file) => {
    if (!isImageFileName(file.path)) {
      nonImages.push(file.path);
      return;
    }
    const bytes = await file.read().catch((error: Error) => error.message);
    const result = typeof bytes === 'string' ? bytes : await decodeImage(bytes, target, fastJpeg);
    if (typeof result === 'string') {
      corruptCount++;
      if (corrupt.length < EXAMPLES_IN_WARNINGS) corrupt.push(`${file.path}: ${result}`);
      return;
    }
    decoded.set(file.path, result);
    if (decoded.size >= nextReport) {
      log(`  decoded ${decoded.size} images (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      nextReport += 10_000;
    }
  });
  if (corruptCount > 0) log(`warning: skipped ${corruptCount} unreadable images in ${source}: ${describeExamples(corrupt, corruptCount)}`);
  const ignoredNonImages = nonImages.filter((path) => !isIgnoredName(basename(path)));
  if (ignoredNonImages.length > 0) {
    log(`warning: ignored ${ignoredNonImages.length} files that are not ${IMAGE_EXTENSIONS.join('/')} images in ${source}: ` +
      describeExamples(ignoredNonImages.slice(0, EXAMPLES_IN_WARNINGS), ignoredNonImages.length));
  }

  const imagePaths = [...decoded.keys()];
  const { root, classNames } = findClassFolders(imagePaths, listing.folders);
  const rootLabel = root === '' ? source : `${source}/${root}`;
  if (imagePaths.length === 0) {
    throw new ConvkitError(`${source}: no readable ${IMAGE_EXTENSIONS.join('/')} images found` +
      (corruptCount > 0 ? ` (${corruptCount} unreadable)` : ''));
  }
  if (classNames.length === 0) {
    throw new ConvkitError(`${rootLabel}: images must sit in one folder per class (e.g. cat/001.jpg, dog/001.jpg), found no class folders`);
  }
  if (classNames.length === 1) {
    throw new ConvkitError(`${rootLabel}: only one class folder (${classNames[0]}); a classifier needs at least two`);
  }
  const byClass: string[][] = classNames.map(() => []);
  const classIndex = new Map(classNames.map((name, index) => [name, index]));
  const prefix = root === '' ? '' : `${root}/`;
  let outsideClasses = 0;
  for (const path of imagePaths) {
    const relative = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    const folder = relative?.includes('/') ? relative.slice(0, relative.indexOf('/')) : undefined;
    const label = folder === undefined ? undefined : classIndex.get(folder);
    if (label === undefined) outsideClasses++;
    else byClass[label].push(path);
  }
  if (outsideClasses > 0) log(`warning: ignored ${outsideClasses} images of ${source} that are not inside a class folder of ${rootLabel}`);
  const empty = classNames.filter((_, label) => byClass[label].length === 0);
  if (empty.length > 0) {
    throw new ConvkitError(`${rootLabel}: class folder${empty.length > 1 ? 's' : ''} ${empty.join(', ')} hold${empty.length > 1 ? '' : 's'} ` +
      'no readable images; add images or remove the folder');
  }
  for (const paths of byClass) paths.sort();

  const count = byClass.reduce((sum, paths) => sum + paths.length, 0);
  const imageBytes = target.height * target.width * target.channels;
  if (count * imageBytes > MAX_DATASET_BYTES) {
    throw new ConvkitError(`${source}: ${count} images of ${target.height}x${target.width} need ${(count * imageBytes / 2 ** 30).toFixed(1)} GiB, ` +
      'more than one array holds; use a smaller size');
  }
  const images = new Uint8Array(count * imageBytes);
  const labels = new Int32Array(count);
  const longest = Math.max(...byClass.map((paths) => paths.length));
  let at = 0;
  for (let rank = 0; rank < longest; rank++) {
    for (let label = 0; label < byClass.length; label++) {
      const path = byClass[label][rank];
      if (path === undefined) continue;
      images.set(decoded.get(path)!, at * imageBytes);
      labels[at++] = label;
    }
  }
  return {
    set: { images, labels, count, height: target.height, width: target.width, channels: target.channels },
    classNames,
    source,
    skipped: { corrupt: corruptCount, nonImage: ignoredNonImages.length },
  };
}

function checkSize(size: [number, number]): void {
  if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n >= 1 && n <= 4096)) {
    throw new ConvkitError(`image size must be two whole numbers between 1 and 4096 (height, width), got ${JSON.stringify(size)}`);
  }
}

/** Where the decoded cache of `source` at this size lives (one file per source and size). */
export function imageCachePath(cacheDir: string, source: string, target: DecodeTarget): string {
  const id = createHash('sha256').update(JSON.stringify([source, target.height, target.width, target.channels])).digest('hex').slice(0, 16);
  const name = basename(source).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return join(cacheDir, 'images', `${name}-${target.height}x${target.width}x${target.channels}-${id}.bin`);
}

/** Loads a class-per-folder image tree (a folder or a .tar.gz of one), using the cache when it is current. */
export async function loadImageFolder(path: string, options: ImageFolderOptions = {}): Promise<ImageFolderData> {
  const log = options.log ?? defaultLog;
  const source = resolve(path);
  const size = options.size ?? [32, 32];
  checkSize(size);
  const target: DecodeTarget = { height: size[0], width: size[1], channels: options.channels ?? 3 };
  const isFolder = statOrThrow(source, 'image data path').isDirectory();
  if (!isFolder && !isArchivePath(source)) {
    throw new ConvkitError(`${source}: expected a folder of class folders or a .tar.gz / .tgz / .tar archive of one`);
  }
  const listing = isFolder ? await listFolder(source) : listArchive(source, log);
  const useCache = options.cache ?? true;
  const cacheFile = imageCachePath(resolveCacheDir(options.cacheDir), source, target);
  const key = JSON.stringify({ source, ...target, fingerprint: listing.fingerprint });
  if (useCache) {
    const cached = readImageCache(cacheFile, key, log);
    if (cached) return { ...cached, source, fromCache: true };
  }
  log(`decoding images of ${source} to ${target.height}x${target.width} (first use; cached afterwards)`);
  const data = await decodeSource(source, listing, target, log);
  if (useCache) {
    try {
      writeImageCache(cacheFile, key, data);
      log(`cached ${data.set.count} images in ${cacheFile}`);
    } catch (error) {
      log(`warning: could not write the cache ${cacheFile} (${(error as Error).message}); the next load decodes again`);
    }
  }
  return { ...data, fromCache: false };
}
