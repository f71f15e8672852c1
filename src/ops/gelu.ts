import * as tf from '@tensorflow/tfjs-core';

import { GELU } from '../backend/custom_kernels';

/**
 * GELU in its exact form, x * Φ(x) = 0.5 x (1 + erf(x / sqrt 2)) as tfjs-layers' 'gelu'
 * activation, in one kernel (ConvkitGelu); its gradient dy * (Φ(x) + x φ(x)) is one kernel
 * too (ConvkitGeluGrad). erf is approximated within 4.5e-7.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') throw new Error(`gelu: x must be float32, got ${x.dtype}`);
  return tf.engine().runKernel(GELU, { x }) as tf.Tensor;
}
