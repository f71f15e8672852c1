// Floating-point operations of a model, from its layer shapes: what a training run costs
// and, divided by its time, how fast the engine ran it. Convolutions and dense layers only
// (a multiply-add counts 2); pooling, normalisation and activations are a few percent.
import * as tfl from '@tensorflow/tfjs-layers';

export interface ModelFlops {
  /** One image through the model. */
  forward: number;
  /** One image's training step: forward, the weight gradients, and the input gradients backpropagation needs. */
  training: number;
}

/** Multiply-adds x 2 of a Conv2D or Dense layer for one image; 0 for other layers. */
function layerFlops(layer: tfl.layers.Layer): number {
  const className = layer.getClassName();
  const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
  if ((className !== 'Conv2D' && className !== 'Dense') || !kernel) return 0;
  const kernelSize = (kernel.shape as number[]).reduce((a, b) => a * b, 1);
  // A conv kernel is applied at every output position, a dense kernel once.
  const outputShape = layer.outputShape as number[];
  return 2 * kernelSize * (className === 'Conv2D' ? outputShape[1] * outputShape[2] : 1);
}

/** FLOPs of a sequential model, layer by layer in order. */
export function modelFlops(model: tfl.LayersModel): ModelFlops {
  let forward = 0, training = 0;
  let trainableBelow = false;
  for (const layer of model.layers) {
    const flops = layerFlops(layer);
    const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
    forward += flops;
    training += flops;
    if (kernel && kernel.trainable && layer.trainable) training += flops;
    // The input gradient is computed only when something below still trains.
    if (trainableBelow) training += flops;
    trainableBelow ||= layer.trainableWeights.length > 0;
  }
  return { forward, training };
}
