// Tensors known to hold relu's output already. A convkit Conv2D layer followed only by an
// Activation('relu') layer computes that relu inside its own kernel while training (saving a
// pass over the activation forward and one backward) and marks its output here; the relu
// that follows then costs nothing: its kernel returns its input (relu is idempotent), and its
// gradient passes dy through, since the conv's own gradient applies the same mask (y > 0)
// to everything that reaches y. Marks are only made on training steps, where gradients are
// taken with respect to weights, never with respect to a marked tensor itself.
import { TensorInfo } from '@tensorflow/tfjs-core';

const rectified = new WeakSet<object>();

export function markRectified(tensor: TensorInfo): void {
  rectified.add(tensor.dataId);
}

export function isRectified(tensor: TensorInfo): boolean {
  return rectified.has(tensor.dataId);
}
