// `npm run bench:gemm`: GFLOP/s of the native GEMM on square sizes, and of the three
// convolution kernels on the tutorial's and the fast recipe's conv layer shapes (batch 128;
// `--batch N`, `--only fast` for the layers whose names start with "fast",
// `--winograd-vs-direct` to time the Winograd layers against the direct kernels too,
// `--variants` to time them with each Winograd variant forced).
import { backend, tf } from '../src';
import { geometryOf } from '../src/backend/kernel_utils';

const addon = backend.addon;
if (!addon) throw new Error('the native addon is not loaded');

// --cpu-time measures CPU seconds instead of wall seconds, divided by the thread count:
// on a busy shared machine it still shows what a kernel change did.
const useCpuTime = process.argv.includes('--cpu-time');

function now(): number {
  if (!useCpuTime) return performance.now() / 1000;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6 / addon!.info().threads;
}

/** Best of `reps` timings, in seconds: the machine is shared, the minimum is the signal. */
function best(reps: number, run: () => void): number {
  run();
  let fastest = Infinity;
  for (let i = 0; i < reps; i++) {
    const start = now();
    run();
    fastest = Math.min(fastest, now() - start);
  }
  return fastest;
}

function squareGemm() {
  const rows = [];
  for (const size of [256, 512, 1024, 2048]) {
    const a = new Float32Array(size * size).fill(0.5), b = new Float32Array(size * size).fill(0.25);
    const c = new Float32Array(size * size);
    const seconds = best(size >= 1024 ? 3 : 10, () => addon!.gemm(a, b, c, size, size, size));
    rows.push({ shape: `gemm ${size}^3`, gflops: +(2 * size ** 3 / seconds / 1e9).toFixed(1) });
  }
  return rows;
}

// [input H, W, Cin, Cout, padding] of the tutorial's convolutions (basic, then improved),
// then the fast recipe's block convolutions.
const convShapes: Array<[string, number, number, number, 'valid' | 'same']> = [
  ['basic conv1', 32, 3, 32, 'valid'], ['basic conv2', 30, 32, 32, 'valid'],
  ['basic conv3', 14, 32, 64, 'valid'], ['basic conv4', 12, 64, 64, 'valid'],
  ['improved conv1', 32, 3, 32, 'same'], ['improved conv2', 32, 32, 32, 'same'],
  ['improved conv3', 16, 32, 64, 'same'], ['improved conv4', 16, 64, 64, 'same'],
  ['improved conv5', 8, 64, 128, 'same'], ['improved conv6', 8, 128, 128, 'same'],
  ['fast block1 conv1', 31, 24, 64, 'same'], ['fast block1 conv2', 15, 64, 64, 'same'],
  ['fast block2 conv1', 15, 64, 256, 'same'], ['fast block2 conv2', 7, 256, 256, 'same'],
  ['fast block3 conv1', 7, 256, 256, 'same'], ['fast block3 conv2', 3, 256, 256, 'same'],
];
const only = process.argv.indexOf('--only');
const selectedShapes = only > 0 ? convShapes.filter(([name]) => name.startsWith(process.argv[only + 1])) : convShapes;

// --winograd-vs-direct times every shape again with CONVKIT_WINOGRAD=0, --variants with
// CONVKIT_WINOGRAD=f2, f3, f4 and f5 (the addon reads it at each call), back to back, and prints
// each and the chosen kernels' speed-ups over it (and F(4x4)'s over F(2x2) and F(3x3), F(5x5)'s
// over F(4x4)).
const comparisons: Array<[name: string, setting: string]> = [];
if (process.argv.includes('--winograd-vs-direct')) comparisons.push(['direct', '0']);
if (process.argv.includes('--variants')) comparisons.push(['f2', 'f2'], ['f3', 'f3'], ['f4', 'f4'], ['f5', 'f5']);

type KernelSpeeds = { forward_gflops: number; backprop_input_gflops: number; backprop_filter_gflops: number };

function withWinograd<T>(setting: string | undefined, run: () => T): T {
  const before = process.env.CONVKIT_WINOGRAD;
  if (setting === undefined) delete process.env.CONVKIT_WINOGRAD; else process.env.CONVKIT_WINOGRAD = setting;
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env.CONVKIT_WINOGRAD; else process.env.CONVKIT_WINOGRAD = before;
  }
}

// GFLOP/s count the direct convolution's FLOPs, so Winograd's are "effective" GFLOP/s.
function convKernels(batch: number) {
  const rows = [];
  for (const [name, size, cin, cout, pad] of selectedShapes) {
    const x = tf.randomUniform([batch, size, size, cin]) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, cin, cout]) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, pad);
    const flops = 2 * y.size * 9 * cin;
    // Kernels run synchronously on this backend; no dataSync, which would pin the output buffer.
    const time = (f: () => tf.Tensor) => best(5, () => tf.tidy(() => { f(); }));
    const attrs = { strides: 1, pad, dataFormat: 'NHWC' };
    const gflops = (seconds: number) => +(flops / seconds / 1e9).toFixed(1);
    const speeds = (): KernelSpeeds => ({
      forward_gflops: gflops(time(() => tf.conv2d(x, w, 1, pad))),
      backprop_input_gflops: gflops(time(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: y, filter: w },
        { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor)),
      backprop_filter_gflops: gflops(time(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: y },
        { ...attrs, filterShape: w.shape } as unknown as tf.NamedAttrMap) as tf.Tensor)),
    });
    const geometry = geometryOf(tf.backend_util.computeConv2DInfo(x.shape, w.shape, 1, 1, pad));
    const row: Record<string, unknown> = { shape: `${name} ${size}x${size}x${cin}->${cout} ${pad}` };
    // The input gradient's convolution has its own geometry, hence maybe its own tile.
    const turned = geometryOf(tf.backend_util.computeConv2DInfo([batch, y.shape[1], y.shape[2], cout],
      [3, 3, cout, cin], 1, 1, pad === 'same' ? 1 : 2));
    // Winograd tile sides (0 = direct) of the forward, input-gradient and filter-gradient kernels.
    row.winograd_tiles = [addon!.winogradTile(geometry), addon!.winogradTile(turned), addon!.winogradTile(geometry)];
    const chosen = speeds();
    Object.assign(row, chosen);
    const measured = new Map<string, KernelSpeeds>();
    for (const [other, setting] of comparisons) measured.set(other, withWinograd(setting, speeds));
    const ratios = (faster: KernelSpeeds, slower: KernelSpeeds) =>
      (['forward_gflops', 'backprop_input_gflops', 'backprop_filter_gflops'] as const)
        .map((key) => +(faster[key] / slower[key]).toFixed(2));
    for (const [other, speedsThere] of measured) Object.assign(row, { [other]: speedsThere, [`speedup_vs_${other}`]: ratios(chosen, speedsThere) });
    const [f2, f3, f4, f5] = ['f2', 'f3', 'f4', 'f5'].map((variant) => measured.get(variant));
    if (f2 && f4) row.f4_over_f2 = ratios(f4, f2);
    if (f3 && f4) row.f4_over_f3 = ratios(f4, f3);
    if (f4 && f5) row.f5_over_f4 = ratios(f5, f4);
    rows.push(row);
    tf.dispose([x, w, y]);
  }
  return rows;
}

const info = addon.info();
console.log(`native GEMM ${info.gemm}, ${info.threads} threads, ${useCpuTime ? 'CPU' : 'wall'} time`);
for (const row of squareGemm()) console.log(JSON.stringify(row));
const batchFlag = process.argv.indexOf('--batch');
for (const row of convKernels(batchFlag > 0 ? Number(process.argv[batchFlag + 1]) : 128)) console.log(JSON.stringify(row));
