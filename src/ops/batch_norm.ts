import * as tf from '@tensorflow/tfjs-core';

import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../backend/custom_kernels';

export interface BatchNormTrainingResult {
  /** (x - mean) / sqrt(variance + epsilon) * gamma + beta, shaped like x. */
  y: tf.Tensor;
  /** The batch mean per channel, [C]. */
  mean: tf.Tensor1D;
  /** The batch variance per channel, [C], biased (divided by the count), as Keras normalises with. */
  variance: tf.Tensor1D;
}

function checkChannelVector(name: string, t: tf.Tensor | null, channels: number): void {
  if (t && (t.rank !== 1 || t.shape[0] !== channels || t.dtype !== 'float32')) {
    throw new Error(`batchNormTraining: ${name} must be a float32 [${channels}] tensor, got ${t.dtype} [${t.shape}]`);
  }
}

/**
 * Batch normalisation in training mode, channels last: normalises x ([..., C], rank >= 2)
 * with its own statistics over every axis but the last, then scales by gamma and shifts by
 * beta ([C] each; null means 1 and 0). One kernel computes the statistics and y, and one
 * kernel computes the gradient for x, gamma and beta together.
 *
 * `mean` and `variance` are outputs for the running averages only: they are not
 * differentiated (a loss computed from them passes no gradient back to x). The gradient
 * of y for x still accounts for the statistics depending on x, exactly as the chain
 * tf.moments + tf.batchNorm would.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null, epsilon: number):
  BatchNormTrainingResult {
  if (x.rank < 2 || x.dtype !== 'float32') {
    throw new Error(`batchNormTraining: x must be a float32 tensor of rank 2 or more, got ${x.dtype} [${x.shape}]`);
  }
  const channels = x.shape[x.rank - 1];
  checkChannelVector('gamma', gamma, channels);
  checkChannelVector('beta', beta, channels);
  const attrs = { epsilon } as unknown as tf.NamedAttrMap;
  // tf.customGrad gives its function one output; the statistics leave through `statistics`,
  // kept past customGrad's internal tidy and handed to the caller's scope below.
  let statistics: tf.Tensor[] = [];
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = { x, ...(gamma && { gamma }), ...(beta && { beta }) };
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, attrs) as tf.Tensor[];
    save(gamma ? [x, mean, variance, gamma] : [x, mean, variance]);
    statistics = [tf.keep(mean), tf.keep(variance)];
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [savedX, savedMean, savedVariance, savedGamma] = saved;
        const gradInputs = { dy: dy as tf.Tensor, x: savedX, mean: savedMean, variance: savedVariance, ...(savedGamma && { gamma: savedGamma }) };
        const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, gradInputs, attrs) as tf.Tensor[];
        // One gradient per input of normalize(): x, then gamma and beta when given.
        const grads = [dx];
        for (const [given, grad] of [[gamma, dgamma], [beta, dbeta]] as const) {
          if (given) grads.push(grad);
          else grad.dispose();
        }
        return grads;
      },
    };
  });
  const y = normalize(x, ...[gamma, beta].filter((t): t is tf.Tensor => t !== null));
  const [mean, variance] = statistics.map((kept) => {
    const tracked = kept.clone();
    kept.dispose();
    return tracked as tf.Tensor1D;
  });
  return { y, mean, variance };
}
