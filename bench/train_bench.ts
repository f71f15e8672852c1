// `npm run bench`: trains the tutorial's basic and improved models (or `--models fast`,
// the fast recipe's network) on random data and prints train/inference images per second,
// ms per step, peak RSS, tensor counts and the per-kernel time of one training step.
// `--backend cpu` runs tfjs's JS kernels instead (on fewer images: they are ~500x slower). Compare with ../shared/bench/torch_reference.py
// run in the same minute.
import { backend as convkitBackend, tf } from '../src';
import * as tfl from '@tensorflow/tfjs-layers';

import { models, training } from '../src';
import { classifierOf } from '../src/insight/tta';

interface Options { backend: string; images: number; batch: number; models: string[] }

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const backend = value('--backend') ?? 'native';
  return {
    backend,
    images: Number(value('--images') ?? (backend === 'cpu' ? 16 : 1024)),
    batch: Number(value('--batch') ?? (backend === 'cpu' ? 8 : 128)),
    models: (value('--models') ?? 'basic,improved').split(','),
  };
}

function randomData(images: number) {
  const x = tf.randomUniform([images, 32, 32, 3]);
  const labels = tf.randomUniform([images], 0, 10, 'int32');
  const y = tf.oneHot(labels as tf.Tensor1D, 10).toFloat();
  labels.dispose();
  return { x, y };
}

async function trainPass(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, batch: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < x.shape[0]; i += batch) {
    const size = Math.min(batch, x.shape[0] - i);
    const xb = x.slice(i, size), yb = y.slice(i, size);
    await model.trainOnBatch(xb, yb);
    tf.dispose([xb, yb]);
  }
  return (performance.now() - start) / 1000;
}

/** Batches of 500 through convkit's evaluation path (classifierOf), as torch_reference.py infers. */
function inferPass(model: tfl.LayersModel, x: tf.Tensor): number {
  const classify = classifierOf(model);
  const start = performance.now();
  for (let i = 0; i < x.shape[0]; i += 500) {
    const xb = x.slice(i, Math.min(500, x.shape[0] - i));
    const out = classify(xb as tf.Tensor4D);
    out.dataSync();
    tf.dispose([xb, out]);
  }
  return (performance.now() - start) / 1000;
}

/** Kernel time of one training step, summed per kernel name, largest first. */
async function kernelBreakdown(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, batch: number) {
  const xb = x.slice(0, batch), yb = y.slice(0, batch);
  const start = performance.now();
  const info = await tf.profile(async () => { await model.trainOnBatch(xb, yb); });
  const stepMs = performance.now() - start;
  tf.dispose([xb, yb]);
  const perKernel = new Map<string, number>();
  // Names ending in __op are tfjs op scopes (custom gradients) around kernels already counted.
  for (const k of info.kernels.filter((kernel) => !kernel.name.endsWith('__op'))) {
    perKernel.set(k.name, (perKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  }
  const nativeNames = new Set(tf.getBackend() === 'native' ? convkitBackend.nativeKernelNames() : []);
  const rows = [...perKernel].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({
    name, ms: +ms.toFixed(2), share: +(ms / stepMs).toFixed(3), native: nativeNames.has(name),
  }));
  return { stepMs, kernelMs: rows.reduce((s, r) => s + r.ms, 0), rows };
}

function nativeSettings() {
  const info = tf.getBackend() === 'native' ? convkitBackend.nativeInfo() : null;
  return { threads: info?.threads ?? 1, gemm: info?.gemm ?? 'tfjs-js' };
}

async function measure(name: string, build: () => tfl.LayersModel, o: Options) {
  const model = build();
  const { x, y } = randomData(o.images);
  await trainPass(model, x, y, o.batch);  // warm-up: allocations, first-call paths
  const tensorsBefore = tf.memory().numTensors;
  const trainSeconds = await trainPass(model, x, y, o.batch);
  const tensorsAfter = tf.memory().numTensors;
  inferPass(model, x);
  const inferSeconds = inferPass(model, x);
  const breakdown = await kernelBreakdown(model, x, y, o.batch);
  tf.dispose([x, y]);
  model.dispose();
  return {
    engine: `convkit-${tf.getBackend()}`, model: name, ...nativeSettings(), batch: o.batch, images: o.images,
    train_img_per_s: +(o.images / trainSeconds).toFixed(1),
    infer_img_per_s: +(o.images / inferSeconds).toFixed(1),
    ms_per_step: +(trainSeconds * 1000 / Math.ceil(o.images / o.batch)).toFixed(1),
    epoch_50k_s: +(50000 * trainSeconds / o.images).toFixed(1),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    tensors_before: tensorsBefore, tensors_after: tensorsAfter,
    breakdown,
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  await tf.setBackend(o.backend);
  // The models `convkit train` trains, compiled as it compiles them: the tutorial's exact
  // layer lists with Adam and categorical cross-entropy, and the fast recipe's network with
  // its Nesterov SGD and label smoothing (`--models fast --batch 1024`).
  const builders: Record<string, () => tfl.LayersModel> = Object.fromEntries(models.MODEL_NAMES.map((name) => [name, () => {
    const model = models.buildModel(name, { seed: 1 });
    training.compileWith(model, training.recipeFor(name, o.batch));
    return model;
  }]));
  const results = [];
  for (const name of o.models) results.push(await measure(name, builders[name], o));
  console.log('\nmodel     backend  train img/s  infer img/s  ms/step  peak RSS MB  tensors before/after');
  for (const r of results) {
    console.log(`${r.model.padEnd(9)} ${r.engine.replace('convkit-', '').padEnd(8)} ${String(r.train_img_per_s).padStart(11)}` +
      `  ${String(r.infer_img_per_s).padStart(11)}  ${String(r.ms_per_step).padStart(7)}  ${String(r.peak_rss_mb).padStart(11)}` +
      `  ${r.tensors_before}/${r.tensors_after}${r.tensors_after > r.tensors_before ? '  LEAK' : ''}`);
  }
  for (const r of results) {
    const { stepMs, rows } = r.breakdown;
    console.log(`\n${r.model}: one profiled step ${stepMs.toFixed(1)} ms, ${r.breakdown.kernelMs.toFixed(1)} ms in kernels; ` +
      `kernels by time (JS = still tfjs's JS kernel):`);
    for (const row of rows.filter((k) => k.share >= 0.005)) {
      const flag = !row.native && row.share > 0.03 ? '  <-- JS kernel over 3% of a step' : '';
      console.log(`  ${row.name.padEnd(22)} ${row.ms.toFixed(2).padStart(8)} ms ${(row.share * 100).toFixed(1).padStart(5)}%` +
        `  ${row.native ? 'native' : 'JS'}${flag}`);
    }
  }
  for (const r of results) {
    const { breakdown, ...summary } = r;
    const slowJs = breakdown.rows.filter((k) => !k.native && k.share > 0.03).map((k) => k.name);
    console.log(JSON.stringify({ ...summary, js_kernels_over_3pct: slowJs }));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
