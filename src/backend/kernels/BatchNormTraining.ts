import { BATCH_NORM_TRAINING, BatchNormTrainingAttrs, BatchNormTrainingInputs } from '../custom_kernels';
import { allocate, channelVector, floatsOf, native, nativeKernel, output } from '../kernel_utils';

// Training-mode batch normalisation over all axes but the last: y and the batch mean and
// variance, from one pass for the statistics and one for y.
export const batchNormTrainingConfig = nativeKernel<BatchNormTrainingInputs, BatchNormTrainingAttrs>(BATCH_NORM_TRAINING,
  ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const channels = x.shape[x.shape.length - 1];
    const xValues = floatsOf(backend, x);
    const gamma = channelVector(backend, inputs.gamma, channels), beta = channelVector(backend, inputs.beta, channels);
    if (!xValues || channels < 1 || gamma === null || beta === null) return null;
    const y = allocate(xValues.length), mean = allocate(channels), variance = allocate(channels);
    native().batchNormTraining(xValues, gamma ?? null, beta ?? null, y, mean, variance, channels, attrs.epsilon);
    return [output(backend, x.shape.slice(), y), output(backend, [channels], mean), output(backend, [channels], variance)];
  });
