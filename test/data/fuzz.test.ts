// 1,000 seeded random mutations of CIFAR-10 batch files, archives and images: every load
// must either succeed with a consistent result or fail with a ConvkitError, never crash,
// hang or allocate what a corrupt size field asks for.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { cifar10, loadImageFolder, Random, type ImageSet } from '../../src/data';
import { ConvkitError } from '../../src/errors';
import { classColor, makeCifarFiles, makeTar, solidImage, temporaryFolder, writeFiles, type TarEntry } from './helpers';

const CASES = 1000;
const CASE_TIMEOUT_MS = 10_000;

/** One random edit of the bytes; tar size fields get special attention (huge sizes). */
function mutate(input: Buffer, random: Random): { bytes: Buffer; operation: string } {
  const bytes = Buffer.from(input);
  const at = random.int(bytes.length);
  switch (random.int(6)) {
    case 0: {
      const flips = 1 + random.int(8);
      for (let i = 0; i < flips; i++) bytes[random.int(bytes.length)] = random.int(256);
      return { bytes, operation: `flip ${flips} bytes` };
    }
    case 1:
      return { bytes: bytes.subarray(0, at), operation: `truncate at ${at}` };
    case 2: {
      const extra = Buffer.from(Array.from({ length: 1 + random.int(600) }, () => random.int(256)));
      return { bytes: Buffer.concat([bytes.subarray(0, at), extra, bytes.subarray(at)]), operation: `insert ${extra.length} at ${at}` };
    }
    case 3: {
      const length = 1 + random.int(2000);
      return { bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]), operation: `delete ${length} at ${at}` };
    }
    case 4: {
      // Where a tar header would hold the size: claim up to 8 GiB.
      const header = Math.floor(at / 512) * 512;
      if (header + 136 <= bytes.length) bytes.write('77777777777\0', header + 124, 'latin1');
      return { bytes, operation: `huge size field at ${header}` };
    }
    default: {
      const length = Math.min(bytes.length - at, 1 + random.int(64));
      bytes.fill(random.int(2) === 0 ? 0 : 0xff, at, at + length);
      return { bytes, operation: `fill ${length} at ${at}` };
    }
  }
}

function checkSet(set: ImageSet, classCount: number): void {
  assert.equal(set.images.length, set.count * set.height * set.width * set.channels);
  assert.equal(set.labels.length, set.count);
  for (const label of set.labels) assert.ok(label >= 0 && label < classCount);
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzzed inputs', () => {
  const work = temporaryFolder('fuzz');
  after(() => work.remove());

  it(`${CASES} mutated batch files, archives and images give results or ConvkitErrors only`, async () => {
    const random = Random.fromSeeds(20240601);
    const cifarFiles = makeCifarFiles(2);
    const cifarTar = makeTar([...cifarFiles].map(([name, data]) => ({ path: `cifar-10-batches-bin/${name}`, data })));
    const cifarTarGz = gzipSync(cifarTar);
    const png = await solidImage(classColor(1), 12, 9, 'png');
    const jpeg = await solidImage(classColor(2), 12, 9, 'jpeg');
    const imageEntries: TarEntry[] = [
      { path: 'set/cat/1.png', data: png }, { path: 'set/cat/2.jpg', data: jpeg }, { path: 'set/dog/1.jpg', data: jpeg }, { path: 'set/dog/2.png', data: png },
    ];
    const imageTar = makeTar(imageEntries);
    const quiet = () => {};
    const outcomes = { loaded: 0, refused: 0 };
    let peakMemory = 0;

    // Each kind: what gets mutated (written into a fresh folder per case) and how it is loaded.
    type Loaded = { set: ImageSet; classes: number };
    const kinds: Array<{ name: string; run: (folder: string) => Promise<Loaded> }> = [
      {
        name: 'cifar .tar.gz bytes',
        run: async (folder) => {
          writeFileSync(join(folder, 'c.tar.gz'), mutate(cifarTarGz, random).bytes);
          const data = await cifar10.readCifar10(join(folder, 'c.tar.gz'), quiet);
          return { set: data.train, classes: data.classNames.length };
        },
      },
      {
        name: 'cifar tar inside gzip',
        run: async (folder) => {
          writeFileSync(join(folder, 't.tar.gz'), gzipSync(mutate(cifarTar, random).bytes));
          const data = await cifar10.readCifar10(join(folder, 't.tar.gz'), quiet);
          return { set: data.test, classes: data.classNames.length };
        },
      },
      {
        name: 'cifar batch folder',
        run: async (folder) => {
          const name = [...cifarFiles.keys()][random.int(cifarFiles.size)];
          writeFiles(folder, new Map([...cifarFiles, [name, mutate(cifarFiles.get(name)!, random).bytes]]));
          const data = await cifar10.readCifar10(folder, quiet);
          return { set: data.train, classes: data.classNames.length };
        },
      },
      {
        name: 'image in a folder',
        run: async (folder) => {
          const victim = random.int(2) === 0 ? png : jpeg;
          writeFiles(folder, new Map([['cat/good.png', png], ['dog/good.jpg', jpeg], ['dog/mutated.img.png', mutate(victim, random).bytes]]));
          const data = await loadImageFolder(folder, { cache: false, size: [6, 6], log: quiet });
          assert.ok(data.set.count === 3 || (data.set.count === 2 && data.skipped.corrupt === 1));
          return { set: data.set, classes: data.classNames.length };
        },
      },
      {
        name: 'image archive',
        run: async (folder) => {
          writeFileSync(join(folder, 'a.tar.gz'), gzipSync(mutate(imageTar, random).bytes));
          const data = await loadImageFolder(join(folder, 'a.tar.gz'), { cache: false, size: [6, 6], log: quiet });
          return { set: data.set, classes: data.classNames.length };
        },
      },
    ];

    for (let n = 0; n < CASES; n++) {
      const kind = kinds[n % kinds.length];
      const folder = join(work.path, `case-${n}`);
      mkdirSync(folder);
      try {
        const result = await withTimeout(kind.run(folder), `case ${n} (${kind.name})`);
        checkSet(result.set, result.classes);
        outcomes.loaded++;
      } catch (error) {
        if (!(error instanceof ConvkitError)) {
          assert.fail(`case ${n} (${kind.name}) failed with ${(error as Error)?.stack ?? error}`);
        }
        assert.ok(error.message.length > 10 && !error.message.includes('undefined'), error.message);
        outcomes.refused++;
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
      if (n % 50 === 0) peakMemory = Math.max(peakMemory, process.memoryUsage().rss);
    }
    // Both outcomes must occur, or the mutations are not exercising anything.
    assert.ok(outcomes.loaded > 50 && outcomes.refused > 50, JSON.stringify(outcomes));
    assert.ok(peakMemory < 1024 * 1024 * 1024, `peak RSS ${peakMemory}`);
  });
});
