// Test data made on the spot: CIFAR-10 batch files, tar(.gz) archives written byte by byte
// (so tests can also make broken and hostile ones), images, and a local HTTP server.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';

import { Random } from '../../src/data/random';

export const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const RECORD = 3073;

/** A fresh temporary folder, removed by the returned cleanup. */
export function temporaryFolder(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `convkit-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A batch in the official format; labels cycle through classCount, pixels are seeded noise. */
export function makeBatch(count: number, seed: number, classCount = 10): Buffer {
  const random = Random.fromSeeds(seed);
  const bytes = Buffer.alloc(count * RECORD);
  for (let r = 0; r < count; r++) {
    bytes[r * RECORD] = (r + seed) % classCount;
    for (let i = 1; i < RECORD; i++) bytes[r * RECORD + i] = random.int(256);
  }
  return bytes;
}

export const BATCH_NAMES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

/** The six batch files (recordsPerBatch each) and batches.meta.txt, by file name. */
export function makeCifarFiles(recordsPerBatch: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  BATCH_NAMES.forEach((name, index) => files.set(name, makeBatch(recordsPerBatch, index + 1)));
  files.set('batches.meta.txt', Buffer.from(`${CLASS_NAMES.join('\n')}\n\n`));
  return files;
}

export function writeFiles(root: string, files: Map<string, Buffer>): void {
  for (const [name, data] of files) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), data);
  }
}

export interface TarEntry {
  path: string;
  /** Absent for a directory. */
  data?: Buffer;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar archive, written by hand so tests control every byte (also of hostile entries). */
export function makeTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const header = Buffer.alloc(512);
    const isDirectory = entry.data === undefined;
    header.write(entry.path, 0, 100, 'utf8');
    header.write(octal(isDirectory ? 0o755 : 0o644, 8), 100, 'latin1');
    header.write(octal(0, 8), 108, 'latin1');
    header.write(octal(0, 8), 116, 'latin1');
    header.write(octal(entry.data?.length ?? 0, 12), 124, 'latin1');
    header.write(octal(1_600_000_000, 12), 136, 'latin1');
    header.write('        ', 148, 'latin1');
    header.write(isDirectory ? '5' : '0', 156, 'latin1');
    header.write('ustar\u000000', 257, 'latin1');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(octal(sum, 7) + ' ', 148, 'latin1');
    blocks.push(header);
    if (entry.data) {
      blocks.push(entry.data);
      blocks.push(Buffer.alloc((512 - (entry.data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function makeTarGz(entries: TarEntry[]): Buffer {
  return gzipSync(makeTar(entries));
}

/** The official archive layout: cifar-10-batches-bin/<file>, with its folder entry. */
export function makeCifarArchive(recordsPerBatch: number): Buffer {
  const entries: TarEntry[] = [{ path: 'cifar-10-batches-bin/' }];
  for (const [name, data] of makeCifarFiles(recordsPerBatch)) entries.push({ path: `cifar-10-batches-bin/${name}`, data });
  return makeTarGz(entries);
}

/** A solid-colour image (so a test can tell classes apart after resizing and JPEG). */
export async function solidImage(color: [number, number, number], width: number, height: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) raw.set(color, i);
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95 }).toBuffer();
}

/** Distinct, JPEG-robust colours, one per class index. */
export function classColor(label: number): [number, number, number] {
  return [(label * 90 + 20) % 256, (label * 40 + 200) % 256, label % 2 === 0 ? 30 : 220];
}

export interface TestServer {
  url: string;
  /** How many requests arrived so far. */
  hits: () => number;
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering every request with `handler`. */
export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  let hits = 0;
  const server = http.createServer((request, response) => {
    hits++;
    handler(request, response);
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`,
    hits: () => hits,
    close: () => new Promise<void>((resolvePromise) => {
      server.closeAllConnections();
      server.close(() => resolvePromise());
    }),
  };
}

/** Collects log lines instead of printing them. */
export function collectingLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => { lines.push(line); } };
}
