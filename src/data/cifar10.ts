// CIFAR-10 in its official binary form, like Keras' cifar10.load_data(): uint8 images
// [N,32,32,3] and integer labels for train and test. Sources, in order: a local path
// (option or CONVKIT_DATA), the cache, the official download.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { ConvkitError } from '../errors';
import { isArchivePath, readArchiveFiles } from './archive';
import { downloadVerified } from './download';
import { defaultLog, resolveCacheDir, statOrThrow } from './paths';
import type { ImageSet } from './types';

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const CIFAR10_ARCHIVE_NAME = 'cifar-10-binary.tar.gz';
export const CIFAR10_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const TRAIN_BATCH_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const TEST_BATCH_FILE = 'test_batch.bin';
export const META_FILE = 'batches.meta.txt';
const SIDE = 32;
const CHANNELS = 3;
const PLANE = SIDE * SIDE;
/** One label byte, then the red, green and blue planes of 32x32 bytes each. */
export const RECORD_BYTES = 1 + PLANE * CHANNELS;
/** Official batches hold 10,000 records; a file declaring far more is corrupt, not big. */
const MAX_RECORDS_PER_FILE = 20_000;

export interface Cifar10Data {
  train: ImageSet;
  test: ImageSet;
  classNames: string[];
  /** The directory, archive or URL the data came from. */
  source: string;
}

export interface Cifar10Options {
  /** A cifar-10-batches-bin folder, its parent, or cifar-10-binary.tar.gz. Default: env CONVKIT_DATA. */
  path?: string;
  /** Default: env CONVKIT_CACHE, else ~/.cache/convkit. */
  cacheDir?: string;
  /** Default: env CONVKIT_CIFAR10_URL, else the official address. */
  url?: string;
  /** Expected MD5 of the download; only worth changing when `url` serves a different archive. */
  md5?: string;
  /** Set false to fail instead of downloading when there is no local copy. */
  download?: boolean;
  /** Download progress bar; default when stderr is a terminal. */
  progress?: boolean;
  log?: (line: string) => void;
}

/** Decodes one batch file (records of label + planar RGB) into NHWC bytes and labels. */
export function parseBatch(bytes: Uint8Array, fileName: string, classCount: number): ImageSet {
  if (bytes.length === 0 || bytes.length % RECORD_BYTES !== 0) {
    throw new ConvkitError(`${fileName}: truncated or corrupt CIFAR-10 batch file: ${bytes.length} bytes is not a whole number ` +
      `of ${RECORD_BYTES}-byte records`);
  }
  const count = bytes.length / RECORD_BYTES;
  if (count > MAX_RECORDS_PER_FILE) {
    throw new ConvkitError(`${fileName}: ${count} records is more than a CIFAR-10 batch file holds (at most ${MAX_RECORDS_PER_FILE})`);
  }
  const images = new Uint8Array(count * PLANE * CHANNELS);
  const labels = new Int32Array(count);
  for (let record = 0; record < count; record++) {
    const start = record * RECORD_BYTES;
    const label = bytes[start];
    if (label >= classCount) {
      throw new ConvkitError(`${fileName}: record ${record} has label ${label}, outside the class list (${classCount} classes)`);
    }
    labels[record] = label;
    const planes = start + 1;
    const out = record * PLANE * CHANNELS;
    for (let p = 0; p < PLANE; p++) {
      images[out + p * 3] = bytes[planes + p];
      images[out + p * 3 + 1] = bytes[planes + PLANE + p];
      images[out + p * 3 + 2] = bytes[planes + 2 * PLANE + p];
    }
  }
  return { images, labels, count, height: SIDE, width: SIDE, channels: CHANNELS };
}

/** Class names from batches.meta.txt: one per line, blank lines ignored. */
export function parseMeta(text: string, fileName: string): string[] {
  const names = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  if (names.length < 2 || names.length > 256) {
    throw new ConvkitError(`${fileName}: expected between 2 and 256 class names, one per line, found ${names.length}`);
  }
  if (new Set(names).size !== names.length) throw new ConvkitError(`${fileName}: class names repeat`);
  return names;
}

function concatSets(sets: ImageSet[]): ImageSet {
  const count = sets.reduce((sum, set) => sum + set.count, 0);
  const images = new Uint8Array(count * PLANE * CHANNELS);
  const labels = new Int32Array(count);
  let at = 0;
  for (const set of sets) {
    images.set(set.images, at * PLANE * CHANNELS);
    labels.set(set.labels, at);
    at += set.count;
  }
  return { images, labels, count, height: SIDE, width: SIDE, channels: CHANNELS };
}

/** Builds the train/test sets from the raw files, whichever container they came from. */
function assemble(files: Map<string, Uint8Array>, source: string, log: (line: string) => void): Cifar10Data {
  const missing = [...TRAIN_BATCH_FILES, TEST_BATCH_FILE].filter((name) => !files.has(name));
  if (missing.length > 0) {
    throw new ConvkitError(`${source}: not a complete CIFAR-10 binary dataset, missing ${missing.join(', ')}`);
  }
  const meta = files.get(META_FILE);
  let classNames = CIFAR10_CLASS_NAMES;
  if (meta) classNames = parseMeta(Buffer.from(meta).toString('utf8'), `${source}: ${META_FILE}`);
  else log(`${source}: no ${META_FILE}, using the standard CIFAR-10 class names`);
  const parse = (name: string) => parseBatch(files.get(name)!, `${source}: ${name}`, classNames.length);
  return {
    train: concatSets(TRAIN_BATCH_FILES.map(parse)),
    test: parse(TEST_BATCH_FILE),
    classNames,
    source,
  };
}

const WANTED_FILES = new Set([...TRAIN_BATCH_FILES, TEST_BATCH_FILE, META_FILE]);

/** The folder holding the batch files: `dir` itself or its cifar-10-batches-bin child. */
export function findBatchDirectory(dir: string): string | undefined {
  for (const candidate of [dir, join(dir, 'cifar-10-batches-bin')]) {
    if (existsSync(join(candidate, TRAIN_BATCH_FILES[0])) || existsSync(join(candidate, TEST_BATCH_FILE))) return candidate;
  }
  return undefined;
}

export async function readCifar10Directory(dir: string, log: (line: string) => void = defaultLog): Promise<Cifar10Data> {
  const batchDir = findBatchDirectory(dir);
  if (!batchDir) {
    throw new ConvkitError(`${dir}: no CIFAR-10 batch files (${TRAIN_BATCH_FILES[0]} ...) in it or in its cifar-10-batches-bin folder`);
  }
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(batchDir)) {
    if (!WANTED_FILES.has(name)) continue;
    const size = statOrThrow(join(batchDir, name), 'CIFAR-10 file').size;
    if (size > MAX_RECORDS_PER_FILE * RECORD_BYTES) {
      throw new ConvkitError(`${join(batchDir, name)}: ${size} bytes is more than a CIFAR-10 batch file holds`);
    }
    files.set(name, readFileSync(join(batchDir, name)));
  }
  return assemble(files, batchDir, log);
}

export async function readCifar10Archive(archivePath: string, log: (line: string) => void = defaultLog): Promise<Cifar10Data> {
  const files = new Map<string, Uint8Array>();
  const entries = readArchiveFiles(archivePath, {
    accept: (path) => WANTED_FILES.has(basename(path)),
    maxFileBytes: MAX_RECORDS_PER_FILE * RECORD_BYTES,
    warn: log,
  });
  for await (const file of entries) files.set(basename(file.path), file.data);
  return assemble(files, archivePath, log);
}

/** Reads CIFAR-10 from a folder or an archive, whichever `path` is. */
export async function readCifar10(path: string, log: (line: string) => void = defaultLog): Promise<Cifar10Data> {
  const stats = statOrThrow(path, 'CIFAR-10 data path');
  return stats.isDirectory() ? readCifar10Directory(path, log) : readCifar10Archive(path, log);
}

/** Where the verified official archive lives in the cache. */
export function cachedArchivePath(cacheDir?: string): string {
  return join(resolveCacheDir(cacheDir), CIFAR10_ARCHIVE_NAME);
}

/**
 * CIFAR-10 train (50,000) and test (10,000) as uint8 NHWC images and integer labels,
 * like Keras' `cifar10.load_data()`.
 */
export async function loadData(options: Cifar10Options = {}): Promise<Cifar10Data> {
  const log = options.log ?? defaultLog;
  const localPath = options.path ?? process.env.CONVKIT_DATA;
  if (localPath) {
    log(`CIFAR-10: reading ${resolve(localPath)}`);
    return readCifar10(resolve(localPath), log);
  }
  const cached = cachedArchivePath(options.cacheDir);
  if (existsSync(cached)) {
    log(`CIFAR-10: reading the cached copy ${cached}`);
    try {
      return await readCifar10Archive(cached, log);
    } catch (error) {
      if (!(error instanceof ConvkitError)) throw error;
      throw new ConvkitError(`${error.message} (delete ${cached} to download it again)`, { cause: error });
    }
  }
  const url = options.url ?? process.env.CONVKIT_CIFAR10_URL ?? CIFAR10_URL;
  const tried = `no local path was given (--data PATH or CONVKIT_DATA) and there is no cached copy at ${cached}`;
  if (options.download === false) {
    throw new ConvkitError(`CIFAR-10 not found: ${tried}; downloading was switched off`);
  }
  log(`CIFAR-10: downloading ${url} to ${cached}`);
  try {
    await downloadVerified(url, cached, { md5: options.md5 ?? CIFAR10_MD5, progress: options.progress, label: 'CIFAR-10' });
  } catch (error) {
    if (!(error instanceof ConvkitError)) throw error;
    throw new ConvkitError(`CIFAR-10 not available: ${tried}, and ${error.message}. ` +
      `Fetch ${CIFAR10_ARCHIVE_NAME} (${CIFAR10_URL}) on another machine, then pass it with --data PATH ` +
      `(or CONVKIT_DATA=PATH), or copy it to ${cached}`, { cause: error });
  }
  return readCifar10Archive(cached, log);
}
