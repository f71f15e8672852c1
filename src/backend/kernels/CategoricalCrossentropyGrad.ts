import { TensorInfo } from '@tensorflow/tfjs-core';

import { CATEGORICAL_CROSSENTROPY_GRAD, CategoricalCrossentropyInputs } from '../custom_kernels';
import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// The cross-entropy's gradient by the probabilities, one pass per row (through the clip and
// the rescaling) instead of about twenty-five kernels.
export const categoricalCrossentropyGradConfig = nativeKernel<CategoricalCrossentropyInputs & { dy: TensorInfo }, object>(
  CATEGORICAL_CROSSENTROPY_GRAD, ({ inputs, backend }) => {
    const dy = floatsOf(backend, inputs.dy), labels = floatsOf(backend, inputs.labels);
    const probabilities = floatsOf(backend, inputs.probabilities);
    const shape = inputs.probabilities.shape;
    if (!dy || !labels || !probabilities || labels.length !== probabilities.length ||
      dy.length * shape[shape.length - 1] !== probabilities.length) return null;
    const dprobabilities = allocate(probabilities.length);
    native().categoricalCrossentropyGrad(dy, labels, probabilities, dprobabilities);
    return output(backend, shape.slice(), dprobabilities);
  });
