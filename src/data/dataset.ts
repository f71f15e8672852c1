// The one call training makes: find the data (a given path, CIFAR-10 from the cache or the
// web, or the shared JPEG copy of it), load it, and split it into train and validation.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import { ConvkitError } from '../errors';
import { isArchivePath, readArchiveFiles } from './archive';
import * as cifar10 from './cifar10';
import { isImageFileName, loadImageFolder } from './image_folder';
import { defaultLog, packageRoot, resolveCacheDir, statOrThrow } from './paths';
import { splitTrainValidation, takeFirst } from './preprocess';
import type { Dataset, ImageSet } from './types';

export interface LoadDatasetOptions {
  /** A CIFAR-10 binary folder or archive, a folder of class folders, or a .tar.gz of one. Default: env CONVKIT_DATA. */
  data?: string;
  /** Use only the first N training images in file order (image folders are ordered round-robin over classes). */
  limit?: number;
  /** Validation images carved from train; default 5000 (or a tenth of a smaller training set). */
  val?: number;
  /** Seeds the train/validation split. Default 1. */
  seed?: number;
  /** Default: env CONVKIT_CACHE, else ~/.cache/convkit. */
  cacheDir?: string;
  /** [height, width] image folders are resized to. Default [32, 32]. */
  size?: [number, number];
  log?: (line: string) => void;
}

export const DEFAULT_VALIDATION_COUNT = 5000;
export const SHARED_JPEG_SET = '../shared/data/cifar10-jpeg-train.tar.gz';

type SourceKind = 'cifar10' | 'images';

const CIFAR_FILE_NAMES = new Set([...cifar10.TRAIN_BATCH_FILES, cifar10.TEST_BATCH_FILE, cifar10.META_FILE]);

/** Tells CIFAR-10 binary from image folders by the first telling file name in the archive. */
async function sniffArchive(archivePath: string): Promise<SourceKind> {
  let kind: SourceKind | undefined;
  const entries = readArchiveFiles(archivePath, {
    accept: (path) => {
      if (!kind && CIFAR_FILE_NAMES.has(basename(path))) kind = 'cifar10';
      else if (!kind && isImageFileName(path)) kind = 'images';
      return false;
    },
    maxFileBytes: 0,
    until: () => kind !== undefined,
  });
  for await (const _ of entries) { /* nothing is accepted; the reader stops once a name told the kind */ }
  if (!kind) throw new ConvkitError(`${archivePath}: holds neither CIFAR-10 batch files nor JPEG/PNG images`);
  return kind;
}

async function sourceKind(path: string): Promise<SourceKind> {
  if (statOrThrow(path, 'data path').isDirectory()) return cifar10.findBatchDirectory(path) ? 'cifar10' : 'images';
  if (!isArchivePath(path)) {
    throw new ConvkitError(`${path}: expected a folder (CIFAR-10 batches or one folder per class) or a .tar.gz / .tgz / .tar archive`);
  }
  return sniffArchive(path);
}

interface LoadedSource {
  train: ImageSet;
  test?: ImageSet;
  classNames: string[];
  source: string;
}

function checkCifarSize(size: [number, number] | undefined, source: string): void {
  if (size && (size[0] !== 32 || size[1] !== 32)) {
    throw new ConvkitError(`${source} is CIFAR-10 binary data, always 32x32; a size of ${size.join('x')} applies to image folders only`);
  }
}

async function loadPath(path: string, options: LoadDatasetOptions, log: (line: string) => void): Promise<LoadedSource> {
  const kind = await sourceKind(path);
  if (kind === 'cifar10') {
    checkCifarSize(options.size, path);
    log(`data: CIFAR-10 binary from ${path}`);
    const data = await cifar10.readCifar10(path, log);
    return { train: data.train, test: data.test, classNames: data.classNames, source: data.source };
  }
  const started = Date.now();
  const data = await loadImageFolder(path, { size: options.size, cacheDir: options.cacheDir, log });
  log(`data: ${data.set.count} images in ${data.classNames.length} classes from ${path}` +
    `${data.fromCache ? ' (decoded cache)' : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { train: data.set, classNames: data.classNames, source: data.source };
}

/** Candidate places of the shared JPEG copy of CIFAR-10: next to the working folder and the package. */
export function sharedJpegCandidates(): string[] {
  return [...new Set([resolve(process.cwd(), SHARED_JPEG_SET), resolve(packageRoot(), SHARED_JPEG_SET)])];
}

/** No path given: CIFAR-10 from the cache or the web, else the shared JPEG copy. */
async function loadDefault(options: LoadDatasetOptions, log: (line: string) => void): Promise<LoadedSource> {
  let cifarProblem: ConvkitError;
  try {
    checkCifarSize(options.size, 'CIFAR-10');
    const data = await cifar10.loadData({ cacheDir: options.cacheDir, log });
    log(`data: CIFAR-10 binary from ${data.source}`);
    return { train: data.train, test: data.test, classNames: data.classNames, source: data.source };
  } catch (error) {
    if (!(error instanceof ConvkitError)) throw error;
    cifarProblem = error;
  }
  const candidates = sharedJpegCandidates();
  const shared = candidates.find((candidate) => existsSync(candidate));
  if (!shared) {
    throw new ConvkitError(`${cifarProblem.message}. No shared JPEG copy either (looked for ${candidates.join(' and ')})`, { cause: cifarProblem });
  }
  log(`data: CIFAR-10 unavailable (${cifarProblem.message.split('. ')[0]})`);
  log(`data: using the shared JPEG copy of the CIFAR-10 training split, ${shared}`);
  return loadPath(shared, options, log);
}

function checkWholeNumber(name: string, value: number | undefined, minimum: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= minimum)) {
    throw new ConvkitError(`${name} must be a whole number >= ${minimum}, got ${value}`);
  }
}

/**
 * Loads a dataset for training: train and validation (a seeded split of the training
 * images), the official test split when the source has one, and the class names.
 */
export async function loadDataset(options: LoadDatasetOptions = {}): Promise<Dataset> {
  const log = options.log ?? defaultLog;
  checkWholeNumber('limit', options.limit, 1);
  checkWholeNumber('val', options.val, 0);
  checkWholeNumber('seed', options.seed, 0);
  const data = options.data ?? process.env.CONVKIT_DATA;
  const cacheDir = resolveCacheDir(options.cacheDir);
  const loaded = data ? await loadPath(resolve(data), { ...options, cacheDir }, log) : await loadDefault({ ...options, cacheDir }, log);

  let train = loaded.train;
  if (options.limit !== undefined && options.limit < train.count) {
    train = takeFirst(train, options.limit);
    log(`data: using the first ${options.limit} training images (--limit)`);
  }
  let validationCount = options.val;
  if (validationCount === undefined) {
    validationCount = Math.min(DEFAULT_VALIDATION_COUNT, Math.floor(train.count / 10));
    if (validationCount < DEFAULT_VALIDATION_COUNT) log(`data: ${train.count} training images, so ${validationCount} (a tenth) go to validation`);
  }
  const seed = options.seed ?? 1;
  const split = splitTrainValidation(train, validationCount, seed);
  log(`data: ${split.train.count} train / ${split.validation.count} validation (seed ${seed})` +
    (loaded.test ? ` / ${loaded.test.count} test` : ''));
  return { train: split.train, validation: split.validation, test: loaded.test, classNames: loaded.classNames, source: loaded.source };
}
