import { CATEGORICAL_CROSSENTROPY, CategoricalCrossentropyInputs } from '../custom_kernels';
import { allocate, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// Keras's categorical cross-entropy, one pass per row instead of tfjs's nine kernels.
export const categoricalCrossentropyConfig = nativeKernel<CategoricalCrossentropyInputs, object>(
  CATEGORICAL_CROSSENTROPY, ({ inputs, backend }) => {
    const labels = floatsOf(backend, inputs.labels), probabilities = floatsOf(backend, inputs.probabilities);
    const shape = inputs.probabilities.shape;
    if (!labels || !probabilities || labels.length !== probabilities.length || shape.length < 1) return null;
    const loss = allocate(probabilities.length / shape[shape.length - 1]);
    native().categoricalCrossentropy(labels, probabilities, loss);
    return output(backend, shape.slice(0, -1), loss);
  });
