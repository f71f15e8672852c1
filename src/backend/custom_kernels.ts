// Kernels tfjs does not have, with JS implementations for tfjs's `cpu` backend so code
// using them runs on either backend (and tests can compare the two).
import { KernelConfig, KernelFunc, registerGradient, registerKernel, Relu, Tensor, TensorInfo }
  from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

import { KernelArgs, sizeOf } from './kernel_utils';

export const RELU_GRAD = 'ConvkitReluGrad';
export const DROPOUT_MASK = 'ConvkitDropoutMask';
export const ADAM_UPDATE = 'ConvkitAdamUpdate';

/** [beta1, beta2, 1-beta1, 1-beta2, 1-accBeta1, 1-accBeta2, epsilon, -learningRate], float32. */
export interface AdamUpdateAttrs {
  scalars: number[];
}
export type AdamUpdateInputs = { value: TensorInfo; m: TensorInfo; v: TensorInfo; gradient: TensorInfo };

export interface DropoutMaskAttrs {
  shape: number[];
  rate: number;
  seed: number;
}

/** The 32-bit hash of native/src/kernels/dropout_mask.cc, in JS. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function reluGradCpu({ inputs, backend }: KernelArgs<{ dy: TensorInfo; x: TensorInfo }, object>): TensorInfo {
  const dy = backend.data.get(inputs.dy.dataId).values as Float32Array;
  const x = backend.data.get(inputs.x.dataId).values as Float32Array;
  const dx = new Float32Array(dy.length);
  for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dy[i] : Number.isNaN(x[i]) ? NaN : dy[i] * 0;
  return backend.makeTensorInfo(inputs.dy.shape.slice(), 'float32', dx);
}

function dropoutMaskCpu({ backend, attrs }: KernelArgs<object, DropoutMaskAttrs>): TensorInfo {
  const keep = Math.fround(1 - Math.fround(attrs.rate)), scale = Math.fround(1 / keep);
  const threshold = Math.trunc(keep * 16777216);
  const base = mix32(attrs.seed >>> 0);
  const mask = new Float32Array(sizeOf(attrs.shape));
  for (let i = 0; i < mask.length; i++) mask[i] = mix32((base + i) >>> 0) >>> 8 < threshold ? scale : 0;
  return backend.makeTensorInfo(attrs.shape.slice(), 'float32', mask);
}

function adamUpdateCpu({ inputs, backend, attrs }: KernelArgs<AdamUpdateInputs, AdamUpdateAttrs>): TensorInfo[] {
  const read = (t: TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const [value, m, v, g] = [inputs.value, inputs.m, inputs.v, inputs.gradient].map(read);
  const [b1, b2, c1, c2, acc1, acc2, eps, step] = attrs.scalars;
  const f = Math.fround;
  const out = [new Float32Array(value.length), new Float32Array(value.length), new Float32Array(value.length)];
  for (let i = 0; i < value.length; i++) {
    const mi = f(f(m[i] * b1) + f(g[i] * c1)), vi = f(f(v[i] * b2) + f(f(g[i] * g[i]) * c2));
    out[0][i] = f(f(f(f(mi / acc1) / f(f(Math.sqrt(f(vi / acc2))) + eps)) * step) + value[i]);
    out[1][i] = mi;
    out[2][i] = vi;
  }
  return out.map((values) => backend.makeTensorInfo(inputs.value.shape.slice(), 'float32', values));
}

const cpuImplementations: KernelConfig[] = [
  { kernelName: RELU_GRAD, backendName: 'cpu', kernelFunc: reluGradCpu as unknown as KernelFunc },
  { kernelName: DROPOUT_MASK, backendName: 'cpu', kernelFunc: dropoutMaskCpu as unknown as KernelFunc },
  { kernelName: ADAM_UPDATE, backendName: 'cpu', kernelFunc: adamUpdateCpu as unknown as KernelFunc },
];

let registered = false;

/** Registers the JS kernels and routes relu's gradient through ConvkitReluGrad. */
export function registerCustomKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of cpuImplementations) registerKernel(config);
  registerGradient({
    kernelName: Relu,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => ({
      x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x: saved[0] }) as Tensor,
    }),
  });
}
