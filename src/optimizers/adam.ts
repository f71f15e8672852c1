// tfjs's Adam with the whole step done by one kernel (ConvkitAdamUpdate, every variable in
// place) instead of a dozen elementwise kernels and three assigns per variable. Same state,
// same numbers (float32, same order of operations), same getWeights/setWeights, so
// checkpoints move between the two.
import * as tf from '@tensorflow/tfjs-core';

import { ADAM_UPDATE } from '../backend/custom_kernels';
import { holdAlone } from './hold_alone';

/** AdamOptimizer's state, which tfjs declares private. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable }>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable }>;
}

export class Adam extends tf.AdamOptimizer {
  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon ?? undefined);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      const inputs: tf.NamedTensorMap = { accBeta1: state.accBeta1, accBeta2: state.accBeta2 };
      const updated = [state.accBeta1, state.accBeta2];
      let count = 0;
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const moment = (suffix: string) => ({
          originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        state.accumulatedFirstMoment[i] ??= moment('m');
        state.accumulatedSecondMoment[i] ??= moment('v');
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable, v = state.accumulatedSecondMoment[i].variable;
        Object.assign(inputs, { [`value${count}`]: value, [`m${count}`]: m, [`v${count}`]: v, [`gradient${count}`]: gradient });
        updated.push(value, m, v);
        count += 1;
      });
      holdAlone(updated);
      const { learningRate, beta1, beta2, epsilon } = state;
      tf.engine().runKernel(ADAM_UPDATE, inputs, { learningRate, beta1, beta2, epsilon } as unknown as tf.NamedAttrMap);
    });
    this.incrementIterations();
  }
}

/** Adam like `tf.train.adam`, with the fused update. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null): Adam {
  return new Adam(learningRate, beta1, beta2, epsilon);
}
