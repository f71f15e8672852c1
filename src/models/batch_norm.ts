// Keras's BatchNormalization, with training-mode normalisation done by one fused op
// (ops.batchNormTraining: statistics, normalisation and a one-kernel gradient) instead of
// tfjs's moments + batchNorm chain, whose gradient is a dozen elementwise passes. It also
// accepts `scale: false` (no gamma), where tfjs's own layer fails in training (it reads
// the missing gamma) and in gradients of inference (FusedBatchNorm's gradient saves it).
//
// It replaces tfjs's class under the same name, 'BatchNormalization', in tfjs's serialisation
// registry: the function it computes is tfjs's (same config, same weights, same
// moving-average rule), so Keras files and saved models keep their layer name and any code
// in the process that deserialises a BatchNormalization gets the faster one.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BatchNormalization as TfjsBatchNormalization, BatchNormalizationLayerArgs }
  from '@tensorflow/tfjs-layers/dist/layers/normalization';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';

import { batchNormTraining } from '../ops/batch_norm';

/** The settings and weights of tfjs's layer, which it declares private. */
interface BatchNormState {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma?: tfl.LayerVariable;
  beta?: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

// tfjs-layers does not export the class itself; take it from one instance so that the
// subclass shares the very Layer base the rest of tfjs-layers checks against.
const TfjsBatchNormalizationClass = Object.getPrototypeOf(tfl.layers.batchNormalization({})).constructor as
  new (args?: BatchNormalizationLayerArgs) => TfjsBatchNormalization;

export class BatchNormalization extends TfjsBatchNormalizationClass {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const state = this as unknown as BatchNormState;
    const channelsLast = state.axis === -1 || state.axis === input.rank - 1;
    // The rare channels-first layout keeps tfjs's path.
    if (!channelsLast) return super.call(inputs, kwargs);
    if (!kwargs['training']) return tf.tidy(() => this.normalizeWithMovingStatistics(input, state));
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(input, state.gamma?.read() ?? null, state.beta?.read() ?? null, state.epsilon);
      // Keras's update: moving = moving - (moving - batch) * (1 - momentum).
      const decay = 1 - state.momentum;
      for (const [moving, batch] of [[state.movingMean, mean], [state.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const current = moving.read();
          moving.write(tf.sub(current, tf.mul(tf.sub(current, batch), decay)));
        });
      }
      return y;
    });
  }

  /**
   * Inference: tfjs's FusedBatchNorm with the moving statistics. Its gradient (which saliency
   * maps and Grad-CAM take through the model) needs a scale tensor, so a layer without
   * gamma passes ones rather than null.
   */
  private normalizeWithMovingStatistics(input: tf.Tensor, state: BatchNormState): tf.Tensor {
    const mean = state.movingMean.read();
    return tf.batchNorm(input, mean, state.movingVariance.read(), state.beta?.read() ?? tf.zerosLike(mean),
      state.gamma?.read() ?? tf.onesLike(mean), state.epsilon);
  }
}
tf.serialization.registerClass(BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

/** `batchNormalization({...})` like tfl.layers.batchNormalization, building convkit's layer. */
export function batchNormalization(args: BatchNormalizationLayerArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}
