// What the training tests share: small synthetic image sets (each class has its own colour
// and stripe direction plus seeded noise, so a small CNN learns them within an epoch or
// two), CIFAR-10 folders made from them, temporary folders, and the CLI in a child process.
import { ChildProcess, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

import { Random } from '../../src/data/random';
import type { Dataset, ImageSet } from '../../src/data/types';

export const SYNTHETIC_CLASSES = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'white', 'grey', 'dark', 'orange'];

export function syntheticImages(count: number, seed: number, size = 32, classes = SYNTHETIC_CLASSES.length): ImageSet {
  const random = Random.fromSeeds(seed);
  const images = new Uint8Array(count * size * size * 3);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % classes;
    labels[n] = label;
    const colour = [(label * 97) % 256, (label * 53 + 80) % 256, (label * 151 + 30) % 256];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const stripe = ((label % 2 === 0 ? x : y) + label) % 8 < 4 ? 60 : -60;
        for (let c = 0; c < 3; c++) {
          const value = colour[c] + stripe + (random.float() - 0.5) * 80;
          images[((n * size + y) * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(value)));
        }
      }
    }
  }
  return { images, labels, count, height: size, width: size, channels: 3 };
}

/** A Dataset as loadDataset returns one: `train` and `validation` from different seeds. */
export function syntheticDataset(trainCount: number, validationCount: number, seed = 1): Dataset {
  return {
    train: syntheticImages(trainCount, seed),
    validation: syntheticImages(validationCount, seed + 1000),
    classNames: SYNTHETIC_CLASSES,
    source: `synthetic(${trainCount}+${validationCount})`,
  };
}

const made: string[] = [];
process.on('exit', () => made.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A fresh temporary folder, removed when the test process exits. */
export function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), `convkit-training-${prefix}-`));
  made.push(folder);
  return folder;
}

/** Writes `set` as a CIFAR-10 binary folder (label byte, then planar R, G, B), split over the six batch files. */
export function writeCifarFolder(folder: string, set: ImageSet, classNames = SYNTHETIC_CLASSES): void {
  const files = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  const plane = set.height * set.width;
  const perFile = Math.ceil(set.count / files.length);
  mkdirSync(folder, { recursive: true });
  files.forEach((name, f) => {
    const first = f * perFile;
    const count = Math.max(1, Math.min(perFile, set.count - first));
    const bytes = new Uint8Array(count * (1 + 3 * plane));
    for (let r = 0; r < count; r++) {
      const n = (first + r) % set.count;
      const record = r * (1 + 3 * plane);
      bytes[record] = set.labels[n];
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < 3; c++) bytes[record + 1 + c * plane + p] = set.images[(n * plane + p) * 3 + c];
      }
    }
    writeFileSync(path.join(folder, name), bytes);
  });
  writeFileSync(path.join(folder, 'batches.meta.txt'), `${classNames.join('\n')}\n\n`);
}

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'index.ts');

/** `convkit ARGS` in a child process (so SIGINT and exit codes are real). */
export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => { stdout += chunk; });
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}
