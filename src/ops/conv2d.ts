import * as tf from '@tensorflow/tfjs-core';

import { FUSED_CONV2D } from '../backend/custom_kernels';

export interface FusedConv2DArgs {
  /** Images, [batch, height, width, inChannels] (NHWC), float32. */
  x: tf.Tensor4D;
  /** [filterHeight, filterWidth, inChannels, outChannels]. */
  filter: tf.Tensor4D;
  /** One value per output channel, [outChannels]; null or absent for none. */
  bias?: tf.Tensor1D | null;
  strides?: number | [number, number];
  pad: 'valid' | 'same';
  dilations?: number | [number, number];
  activation?: 'linear' | 'relu';
  /**
   * A hint: the output goes to a 2x2 max pool of stride 2 next. The kernel then pools it
   * too where that is cheap (while each tile of the output is in cache), and the MaxPool
   * kernel called on the output takes that pool instead of computing it (backend/pooled.ts).
   */
  poolAfter?: boolean;
  /**
   * A hint with poolAfter: only that pool reads the output, and the gradient does not (its
   * activation is linear, or a relu whose gradient the pool's applies). Where the kernel
   * pooled it, it then leaves the output's values to be computed if anything reads them
   * (backend/lazy_output.ts).
   */
  lazyOutput?: boolean;
}

const pair = (value: number | [number, number]) => (typeof value === 'number' ? [value, value] : value);

/**
 * activation(conv2d(x, filter) + bias) in one kernel (ConvkitFusedConv2D), the maths of
 * tf.fused.conv2d for a linear or relu activation, on channels-last images. Unlike
 * tf.fused.conv2d, whose custom gradient computes the gradients of x, filter and bias
 * together, its gradient is registered per input: tf.grad, variableGrads and
 * optimizer.minimize compute only those they need (no input gradient for a model's first
 * layer, no filter gradient for a frozen kernel, no weight gradients for a saliency map).
 * Gradients need dilations of 1, as tfjs's.
 */
export function fusedConv2d({ x, filter, bias = null, strides = 1, pad, dilations = 1, activation = 'linear', poolAfter = false,
  lazyOutput = false }: FusedConv2DArgs): tf.Tensor4D {
  const fail = (message: string) => { throw new Error(`fusedConv2d: ${message}`); };
  if (x.rank !== 4 || x.dtype !== 'float32') fail(`x must be a float32 tensor of rank 4 (NHWC), got ${x.dtype} [${x.shape}]`);
  if (filter.rank !== 4 || filter.dtype !== 'float32') fail(`filter must be a float32 tensor of rank 4, got ${filter.dtype} [${filter.shape}]`);
  if (filter.shape[2] !== x.shape[3]) fail(`the filter takes ${filter.shape[2]} channels, x has ${x.shape[3]}`);
  const outChannels = filter.shape[3];
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outChannels || bias.dtype !== 'float32')) {
    fail(`bias must be a float32 [${outChannels}] tensor, got ${bias.dtype} [${bias.shape}]`);
  }
  if (activation !== 'linear' && activation !== 'relu') fail(`activation must be 'linear' or 'relu', got '${String(activation)}'`);
  if (pair(strides).some((s) => s > 1) && pair(dilations).some((d) => d > 1)) {
    fail(`strides (${strides}) or dilations (${dilations}) must be 1`);
  }
  const attrs: Omit<tf.FusedConv2DAttrs, 'dimRoundingMode'> & { poolAfter?: boolean; lazyOutput?: boolean } = {
    strides, pad, dataFormat: 'NHWC', dilations, activation, ...(poolAfter ? { poolAfter } : {}),
    ...(poolAfter && lazyOutput ? { lazyOutput } : {}),
  };
  const inputs: tf.NamedTensorMap = bias ? { x, filter, bias } : { x, filter };
  return tf.engine().runKernel(FUSED_CONV2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
