import { BATCH_NORM_TRAINING_GRAD, BatchNormTrainingAttrs, BatchNormTrainingGradInputs } from '../custom_kernels';
import { allocate, channelVector, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// Batch normalisation's gradient for x, gamma and beta at once: one pass for the two
// per-channel sums, one for dx.
export const batchNormTrainingGradConfig = nativeKernel<BatchNormTrainingGradInputs, BatchNormTrainingAttrs>(
  BATCH_NORM_TRAINING_GRAD, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const channels = x.shape[x.shape.length - 1];
    const dy = floatsOf(backend, inputs.dy), xValues = floatsOf(backend, x);
    const [mean, variance, gamma] = [inputs.mean, inputs.variance, inputs.gamma].map((t) => channelVector(backend, t, channels));
    if (!dy || !xValues || dy.length !== xValues.length || channels < 1 || !mean || !variance || gamma === null) return null;
    const dx = allocate(xValues.length), dgamma = allocate(channels), dbeta = allocate(channels);
    native().batchNormTrainingGrad(dy, xValues, mean, variance, gamma ?? null, dx, dgamma, dbeta, channels, attrs.epsilon);
    return [output(backend, x.shape.slice(), dx), output(backend, [channels], dgamma), output(backend, [channels], dbeta)];
  });
