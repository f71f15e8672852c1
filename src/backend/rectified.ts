// Tensors known to hold relu's output already. A convkit Conv2D layer followed only by an
// Activation('relu') layer computes that relu inside its own kernel while training (saving a
// pass over the activation forward and one backward) and marks its output here; the relu
// that follows then costs nothing: its kernel returns its input (relu is idempotent), and its
// gradient passes dy through, since the conv's own gradient applies the same mask (y > 0)
// to everything that reaches y. Marks are only made on training steps and inside
// readingOutputsOnly() (a whole model's forward pass for its class scores), where no
// intermediate tensor is read and no gradient is taken with respect to a marked tensor.
import { TensorInfo } from '@tensorflow/tfjs-core';

// Each mark says whether the conv's own gradient reads the relu's output in a pass it makes
// anyway (a model's first layer: its filter and bias gradients' pass over dy).
const rectified = new WeakMap<object, boolean>();

export function markRectified(tensor: TensorInfo, masksOwnGradient = false): void {
  rectified.set(tensor.dataId, masksOwnGradient);
}

export function isRectified(tensor: TensorInfo): boolean {
  return rectified.has(tensor.dataId);
}

/**
 * Whether the input gradient of a conv reading `tensor` should go on through relu's
 * gradient as it is written (Conv2DBackpropInputRelu), for the conv that rectified it: yes
 * unless that conv's gradient applies the mask in a pass of its own anyway.
 */
export function takesReluGradientFromAbove(tensor: TensorInfo): boolean {
  return rectified.get(tensor.dataId) === false;
}

let outputsOnlyDepth = 0;

/**
 * Runs `forward`, a forward pass whose caller reads only the model's final outputs (as
 * evaluation and prediction do), so that layers may do their successors' work in their own
 * kernels outside training too. Feature maps and sub-models ending at a hidden layer must
 * not run inside it.
 */
export function readingOutputsOnly<T>(forward: () => T): T {
  outputsOnlyDepth += 1;
  try {
    return forward();
  } finally {
    outputsOnlyDepth -= 1;
  }
}

export function isReadingOutputsOnly(): boolean {
  return outputsOnlyDepth > 0;
}

/**
 * Gradients that already hold relu's gradient for a rectified tensor: 0 wherever that tensor
 * is 0. A max pool over a rectified tensor routes nothing from a window whose maximum is 0
 * (MaxPoolGrad.ts), and a conv reading one masks its input gradient as it writes it
 * (Conv2DBackpropInputRelu), so the conv below need not mask dy again; they also sum the
 * gradient over the pixels on the way (the conv's bias gradient), so nothing reads it again
 * for that. Each gradient's data maps to the data of the tensor whose relu it applied.
 */
const reluGradientApplied = new WeakMap<object, { rectified: object; channelSums: Float32Array }>();

export function markReluGradientApplied(gradient: TensorInfo, rectifiedTensor: TensorInfo, channelSums: Float32Array): void {
  reluGradientApplied.set(gradient.dataId, { rectified: rectifiedTensor.dataId, channelSums });
}

/**
 * When `gradient` holds relu's gradient for `rectifiedTensor` (marked above), its sum over
 * batch, height and width per channel; else undefined.
 */
export function reluGradientSums(gradient: TensorInfo, rectifiedTensor: TensorInfo): Float32Array | undefined {
  const mark = reluGradientApplied.get(gradient.dataId);
  return mark?.rectified === rectifiedTensor.dataId ? mark.channelSums : undefined;
}
