// Small real data for the docs tests: the first images of each class of the shared JPEG copy
// of CIFAR-10, written as a folder of class folders, which loads in well under a second.
// Without the shared copy (a checkout on its own), a synthetic CIFAR-10 folder stands in.
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';

import { readArchiveFiles } from '../../src/data/archive';
import { syntheticImages, writeCifarFolder } from '../training/helpers';

/** Where CI and the workspace keep the shared data: next to the repository. */
export const SHARED_JPEG_ARCHIVE = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'cifar10-jpeg-train.tar.gz');

/** Writes `perClass` images of each class into `folder`; returns what the data is, for messages. */
export async function writeTinyImageFolder(folder: string, perClass: number): Promise<string> {
  if (!existsSync(SHARED_JPEG_ARCHIVE)) {
    writeCifarFolder(folder, syntheticImages(perClass * 10, 7));
    return 'synthetic CIFAR-10 folder (no shared JPEG copy found)';
  }
  const taken = new Map<string, number>();
  const files = readArchiveFiles(SHARED_JPEG_ARCHIVE, {
    accept: (entry) => {
      const parts = entry.split('/');
      const className = parts[parts.length - 2];
      if (!entry.endsWith('.jpg') || (taken.get(className) ?? 0) >= perClass) return false;
      taken.set(className, (taken.get(className) ?? 0) + 1);
      return true;
    },
    maxFileBytes: 1 << 20,
    until: () => taken.size === 10 && [...taken.values()].every((count) => count >= perClass),
  });
  for await (const file of files) {
    const parts = file.path.split('/');
    const classFolder = path.join(folder, parts[parts.length - 2]);
    mkdirSync(classFolder, { recursive: true });
    writeFileSync(path.join(classFolder, parts[parts.length - 1]), file.data);
  }
  return `${perClass} JPEG images per class from ${SHARED_JPEG_ARCHIVE}`;
}
