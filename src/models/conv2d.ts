// Keras's Conv2D, computing its convolution with convkit's fusedConv2d op instead of
// tf.fused.conv2d. The function is the same; the gradients differ in what they compute:
// tf.fused.conv2d's custom gradient computes the input, filter and bias gradients together
// whenever any is asked for, so a training step computed the first layer's gradient with
// respect to the images and the filter gradient of frozen kernels, which nothing uses.
// fusedConv2d's gradient is registered per input, so the engine skips them.
//
// It replaces tfjs's class under the same name, 'Conv2D', in tfjs's serialisation registry
// (as batch_norm.ts does for BatchNormalization): saved models keep the Keras class name
// and load in tfjs or Keras, and loading one here builds this class. tfl.layers.conv2d()
// still builds tfjs's own class (it does not look in the registry): use conv2d() below.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Conv2D as TfjsConv2D, ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';

import { isFirstLayerInput } from '../backend/custom_kernels';
import { isReadingOutputsOnly, markRectified } from '../backend/rectified';
import { fusedConv2d } from '../ops/conv2d';

// tfjs-layers does not export the class itself; take it from one instance so that the
// subclass shares the very Layer base the rest of tfjs-layers checks against.
const TfjsConv2DClass = Object.getPrototypeOf(tfl.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as
  new (args: ConvLayerArgs) => TfjsConv2D;

/** The activations the kernel applies itself; tf.fused.conv2d fuses these two (and elu, which the native kernel does not). */
const FUSED_ACTIVATIONS = new Set(['linear', 'relu']);

export class Conv2D extends TfjsConv2DClass {
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    // Channels first, dilations (whose gradient tfjs lacks too) and causal padding keep tfjs's path.
    const usual = this.dataFormat === 'channelsLast' && this.dilationRate.every((d) => d === 1) &&
      (this.padding === 'valid' || this.padding === 'same');
    if (!usual) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const input = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const activation = this.activation.getClassName();
      const fused = FUSED_ACTIVATIONS.has(activation);
      const wholeModel = kwargs['training'] === true || isReadingOutputsOnly();
      const takesNextRelu = activation === 'linear' && wholeModel && this.feedsOnlyRelu();
      const kernelActivation = takesNextRelu ? 'relu' : fused ? activation as 'linear' | 'relu' : 'linear';
      const poolAfter = wholeModel && (takesNextRelu || fused) && this.poolsNext(takesNextRelu);
      const output = fusedConv2d({
        x: input, filter: this.kernel.read() as tf.Tensor4D, bias: this.bias?.read() as tf.Tensor1D | undefined,
        strides: this.strides as [number, number], pad: this.padding as 'valid' | 'same',
        activation: kernelActivation, poolAfter,
        // Only the pool reads the output; a relu of its own (not the next layer's) would read it for its gradient.
        lazyOutput: poolAfter && (takesNextRelu || kernelActivation === 'linear'),
      });
      if (takesNextRelu) markRectified(output, isFirstLayerInput(input));
      return fused ? output : this.activation.apply(output);
    });
  }

  /**
   * Whether this layer's output goes to one Activation('relu') layer and nowhere else (as in
   * the tutorial's models: Conv2D then Activation('relu')). While training, or inside
   * readingOutputsOnly() (evaluation, prediction), such a layer computes that relu in its own
   * kernel and marks its output as rectified, and the relu that follows costs nothing (see
   * backend/rectified.ts). Elsewhere the layer's output stays linear, as feature maps expect.
   * (A functional model that also returns the conv's own output as a model output is not
   * told apart: train such a model with the relu in a separate branch.)
   */
  private feedsOnlyRelu(): boolean {
    if (this.inboundNodes.length !== 1 || this.outboundNodes.length !== 1) return false;
    const next = this.outboundNodes[0].outboundLayer as tfl.layers.Layer & { activation?: { getClassName(): string } };
    return next.getClassName() === 'Activation' && next.activation?.getClassName() === 'relu';
  }

  /**
   * Whether a 2x2 MaxPooling2D of stride 2 takes this layer's output next (through the relu
   * layer `throughRelu`), and nothing else does: the kernel may then pool its output too
   * (backend/pooled.ts). Only a hint: the MaxPool kernel checks what it is given.
   */
  private poolsNext(throughRelu: boolean): boolean {
    const onlyNext = (layer: tfl.layers.Layer) =>
      layer.outboundNodes.length === 1 ? layer.outboundNodes[0].outboundLayer as tfl.layers.Layer : null;
    const first = onlyNext(this);
    const pool = first && throughRelu ? onlyNext(first) : first;
    if (!pool || pool.getClassName() !== 'MaxPooling2D') return false;
    const { poolSize, strides } = pool as unknown as { poolSize: number[]; strides: number[] };
    return [...poolSize, ...strides].every((size) => size === 2);
  }

  /**
   * Makes the (built) kernel a non-trainable weight of the layer, as BatchNorm's moving
   * statistics are. Setting the variable's `trainable` alone does not last: tfjs's
   * Sequential.compile sets every weight of every layer trainable again.
   */
  freezeKernel(): void {
    if (!this.kernel) throw new Error(`'${this.name}' has no kernel yet: build it before freezing it`);
    const layer = this as unknown as { _nonTrainableWeights: tfl.LayerVariable[] };
    if (this._trainableWeights.includes(this.kernel)) {
      this._trainableWeights = this._trainableWeights.filter((weight) => weight !== this.kernel);
      layer._nonTrainableWeights.push(this.kernel);
    }
    this.kernel.trainable = false;
  }
}
tf.serialization.registerClass(Conv2D as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

/** `conv2d({...})` like tfl.layers.conv2d, building convkit's layer. */
export function conv2d(args: ConvLayerArgs): Conv2D {
  return new Conv2D(args);
}
