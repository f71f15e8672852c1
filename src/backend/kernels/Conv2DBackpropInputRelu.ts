import { Conv2DBackpropInputAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { CONV2D_BACKPROP_INPUT_RELU } from '../custom_kernels';
import { allocate, floatsOf, geometryOf, native, nativeKernel, output, sizeOf } from '../kernel_utils';
import { markReluGradientApplied } from '../rectified';
import { inputGradientArguments } from './Conv2DBackpropInput';

// The input gradient taken on through the relu whose output y is: masked and summed by
// channel in the Winograd output transform that writes it (see custom_kernels.ts).
export const conv2DBackpropInputReluConfig = nativeKernel<{ dy: TensorInfo; filter: TensorInfo; y: TensorInfo },
  Conv2DBackpropInputAttrs>(CONV2D_BACKPROP_INPUT_RELU, ({ inputs, backend, attrs }) => {
    const args = inputGradientArguments(backend, inputs.dy, inputs.filter, attrs);
    const yValues = floatsOf(backend, inputs.y);
    if (!args || yValues?.length !== sizeOf(args.info.inShape)) return null;
    const dx = allocate(yValues.length), channelSums = new Float32Array(args.info.inChannels);
    native().conv2dBackpropInputRelu(args.dyValues, args.filterValues, yValues, dx, channelSums, geometryOf(args.info));
    const result = output(backend, args.info.inShape, dx);
    markReluGradientApplied(result, inputs.y, channelSums);
    return result;
  });
