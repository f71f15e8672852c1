// Speed of the insight tools on the tutorial's basic model (untrained weights time the same
// as trained ones): occlusion of one 32x32 image with all 28x28 patch positions in one
// predict call (target < 1 s), activation maximisation of 16 filters of one layer
// (< 10 s), and the whole visualize report on a CIFAR-10-sized test set (< 60 s).
//
//   node --import tsx bench/insight_bench.ts [--quick]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { backend, insight, tf } from '../src';
import type { ImageSet } from '../src/data/types';
import { buildModel } from '../src/models';

const quick = process.argv.includes('--quick');

function syntheticSet(count: number): ImageSet {
  const random = new insight.SeededRandom(3);
  const images = Uint8Array.from({ length: count * 32 * 32 * 3 }, () => Math.floor(random.next() * 256));
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, height: 32, width: 32, channels: 3 };
}

function timeIt(runs: number, work: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    times.push((performance.now() - started) / 1000);
  }
  return times;
}

function row(name: string, times: number[], target: number): string {
  const best = Math.min(...times);
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  return `${name.padEnd(46)} best ${best.toFixed(2).padStart(6)} s  median ${median.toFixed(2).padStart(6)} s  `
    + `target < ${target} s  ${median < target ? 'ok' : 'SLOW'}`;
}

function main(): void {
  const native = backend.nativeInfo();
  console.log(`backend ${tf.getBackend()}${native ? `, gemm ${native.gemm}, ${native.threads} threads` : ''}; `
    + `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`);
  const model = buildModel('basic', { seed: 1 });
  const classNames = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  const test = syntheticSet(quick ? 1000 : 10000);
  const image = insight.imageAt(test, 0);

  insight.occlusion(model, image);  // warm-up: first calls allocate and pick kernels
  const occlusionTimes = timeIt(quick ? 2 : 5, () => insight.occlusion(model, image));
  console.log(row('occlusion, 784 positions in one predict call', occlusionTimes, 1));

  const lastConv = insight.lastConvLayer(model).name;
  const activationTimes = timeIt(quick ? 1 : 3, () => insight.activationMaximization(model, lastConv, { count: 16, steps: 40 }));
  console.log(row(`activation maximisation, 16 filters of ${lastConv}`, activationTimes, 10));

  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convkit-insight-bench-'));
  try {
    const reportTimes = timeIt(1, () => insight.writeReport({
      model, classNames, images: test, imagesName: 'test', trainImages: syntheticSet(2000),
      title: 'bench', history: insight.parseHistoryCsv('epoch,loss,acc\n1,2,0.3\n2,1.5,0.45\n'),
    }, { outDir }));
    console.log(row(`whole report (${test.count} test + 2000 training images)`, reportTimes, 60));
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

main();
