// Adam updates its variables in place (one kernel call a step instead of a kernel and three
// assigns per variable), which is only sound for data no other tensor holds: a tf.clone of a
// weight, the tensor a variable was made from, or one given to setWeights share it.
import * as tf from '@tensorflow/tfjs-core';

/** Gives each variable data of its own where another tensor shares it. */
export function holdAlone(variables: tf.Variable[]): void {
  const backend = tf.engine().backend;
  for (const variable of variables) {
    if (backend.refCount(variable.dataId) <= 1) continue;
    tf.tidy(() => {
      variable.assign(tf.tensor(variable.dataSync().slice(), variable.shape, variable.dtype));
    });
  }
}
