// Finding layers in a model and running parts of it: what occlusion, saliency, Grad-CAM,
// activation maximisation and feature maps need to reach inside a LayersModel.
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../index';
import { ConvkitError } from '../errors';
import type { Image } from './images';

export type Layer = tfl.layers.Layer;

const convolutionClasses = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Conv2DTranspose']);

/** Height, width and channels of the images the model takes. */
export function modelImageShape(model: tfl.LayersModel): { height: number; width: number; channels: number } {
  const shape = model.inputs[0].shape;
  if (shape.length !== 4 || shape.slice(1).some((size) => size == null)) {
    throw new ConvkitError(`the model takes inputs of shape [${shape}], not images of a fixed height, width and channels`);
  }
  const [height, width, channels] = shape.slice(1) as number[];
  return { height, width, channels };
}

/** Throws a ConvkitError unless the image has the model's input size. */
export function assertImageFitsModel(model: tfl.LayersModel, image: Image): void {
  const expected = modelImageShape(model);
  if (image.height !== expected.height || image.width !== expected.width || image.channels !== expected.channels) {
    throw new ConvkitError(`the model takes ${describeShape(expected)} images, got ${describeShape(image)}`);
  }
}

function describeShape(size: { height: number; width: number; channels: number }): string {
  return `${size.width}x${size.height}x${size.channels}`;
}

export function isConvLayer(layer: Layer): boolean {
  return convolutionClasses.has(layer.getClassName());
}

export function isDenseLayer(layer: Layer): boolean {
  return layer.getClassName() === 'Dense';
}

export function convLayers(model: tfl.LayersModel): Layer[] {
  return model.layers.filter(isConvLayer);
}

/** Throws a ConvkitError unless `classIndex` names one of `classCount` classes. */
export function assertClassIndex(classIndex: number, classCount: number): void {
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classCount) {
    throw new ConvkitError(`class ${classIndex} does not exist: the model has ${classCount} classes (0..${classCount - 1})`);
  }
}

/** The layer called `name`; a wrong name lists the ones that exist. */
export function layerNamed(model: tfl.LayersModel, name: string): Layer {
  const layer = model.layers.find((candidate) => candidate.name === name);
  if (!layer) {
    const names = model.layers.filter((candidate) => candidate.getClassName() !== 'InputLayer').map((l) => l.name);
    throw new ConvkitError(`the model has no layer "${name}"; its layers are: ${names.join(', ')}`);
  }
  return layer;
}

/** The last convolution layer, where Grad-CAM looks. */
export function lastConvLayer(model: tfl.LayersModel): Layer {
  const layers = convLayers(model);
  if (layers.length === 0) {
    throw new ConvkitError('the model has no convolution layer, so there is nothing for Grad-CAM to look at');
  }
  return layers[layers.length - 1];
}

function layerActivation(layer: Layer): string | undefined {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === 'string' ? activation : undefined;
}

/**
 * The Activation layer that directly follows `layer` (Keras models often write CONV then
 * Activation('relu') as two layers), if there is one.
 */
export function activationLayerAfter(model: tfl.LayersModel, layer: Layer): Layer | undefined {
  return model.layers.find((candidate) => candidate.getClassName() === 'Activation'
    && candidate.inboundNodes.some((node) => node.inboundLayers.length === 1 && node.inboundLayers[0] === layer));
}

/** The non-linearity applied to `layer`'s output: its own, else that of an Activation layer right after it. */
export function activationAfter(model: tfl.LayersModel, layer: Layer): string | undefined {
  const own = layerActivation(layer);
  if (own !== undefined && own !== 'linear') return own;
  const next = activationLayerAfter(model, layer);
  return next ? layerActivation(next) : own;
}

const outputModels = new WeakMap<Layer, tfl.LayersModel>();

/** A model from the original input to `layer`'s output, sharing the weights (cached). */
export function modelUpTo(model: tfl.LayersModel, layer: Layer): tfl.LayersModel {
  let partial = outputModels.get(layer);
  if (!partial) {
    partial = tfl.model({ inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor });
    outputModels.set(layer, partial);
  }
  return partial;
}

/** Whether the layer ends in a softmax, which scores should be taken before. */
function endsInSoftmax(layer: Layer): boolean {
  return layerActivation(layer) === 'softmax';
}

interface LinearLayerConfig {
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  dilationRate?: number | [number, number];
  useBias?: boolean;
  dataFormat?: string;
}

/**
 * What a Dense or Conv2D layer computes from its input before its own activation function
 * (an Activation layer: its input); undefined for layers whose maths is not redone here.
 */
function withoutActivation(layer: Layer, layerInput: tf.Tensor): tf.Tensor | undefined {
  const className = layer.getClassName();
  if (className === 'Activation') return layerInput;
  const config = layer.getConfig() as LinearLayerConfig;
  const [kernel, bias] = layer.weights.map((weight) => weight.read());
  let output: tf.Tensor;
  if (className === 'Dense' && layerInput.rank === 2) {
    output = tf.matMul(layerInput as tf.Tensor2D, kernel as tf.Tensor2D);
  } else if (className === 'Conv2D' && config.dataFormat !== 'channelsFirst') {
    output = tf.conv2d(layerInput as tf.Tensor4D, kernel as tf.Tensor4D, config.strides ?? 1, config.padding ?? 'valid', 'NHWC',
      config.dilationRate ?? 1);
  } else {
    return undefined;
  }
  return config.useBias === false || !bias ? output : tf.add(output, bias);
}

/**
 * A function from model input to `layer`'s output before its own activation function, so a
 * ReLU that is off everywhere cannot hide which way to go (the output when it has none).
 */
export function preActivation(model: tfl.LayersModel, layer: Layer): (input: tf.Tensor) => tf.Tensor {
  const own = layerActivation(layer);
  const full = modelUpTo(model, layer);
  if (own === undefined || own === 'linear') return (input) => full.apply(input) as tf.Tensor;
  const toInput = tfl.model({ inputs: model.inputs, outputs: layer.input as tfl.SymbolicTensor });
  return (input) => withoutActivation(layer, toInput.apply(input) as tf.Tensor) ?? full.apply(input) as tf.Tensor;
}

function lastLayer(model: tfl.LayersModel): Layer {
  return model.layers[model.layers.length - 1];
}

function hasLogitsBeforeSoftmax(model: tfl.LayersModel): boolean {
  const last = lastLayer(model);
  return endsInSoftmax(last) && (last.getClassName() === 'Dense' || last.getClassName() === 'Activation');
}

/**
 * A function from model input to one score per class: the logits when the model ends in
 * a softmax (Dense or Activation), else the model's own output. Scores before the softmax
 * keep their gradients from vanishing once a class wins.
 */
export function classScores(model: tfl.LayersModel): (input: tf.Tensor) => tf.Tensor2D {
  if (!hasLogitsBeforeSoftmax(model)) return (input) => model.apply(input) as tf.Tensor2D;
  return preActivation(model, lastLayer(model)) as (input: tf.Tensor) => tf.Tensor2D;
}

/**
 * A function from `layer`'s output to the class scores, running the layers after it.
 * Needs the layers to form one chain (as in every Sequential model).
 */
export function scoresFromLayer(model: tfl.LayersModel, layer: Layer): (activation: tf.Tensor) => tf.Tensor2D {
  const layers = model.layers.filter((candidate) => candidate.getClassName() !== 'InputLayer');
  const start = layers.indexOf(layer);
  if (start < 0) throw new ConvkitError(`layer "${layer.name}" is not part of the model`);
  for (let i = start + 1; i < layers.length; i++) {
    const inbound = layers[i].inboundNodes.flatMap((node) => node.inboundLayers);
    if (inbound.length !== 1 || inbound[0] !== layers[i - 1]) {
      throw new ConvkitError(`layer "${layers[i].name}" does not simply follow "${layers[i - 1].name}": `
        + 'looking from an inner layer to the output needs a model whose layers form one chain');
    }
  }
  const rest = layers.slice(start + 1);
  const useLogits = hasLogitsBeforeSoftmax(model) && rest.length > 0;
  const applied = useLogits ? rest.slice(0, -1) : rest;
  return (activation) => {
    let value = activation;
    for (const next of applied) value = next.apply(value) as tf.Tensor;
    if (!useLogits) return value as tf.Tensor2D;
    const last = rest[rest.length - 1];
    return (withoutActivation(last, value) ?? last.apply(value)) as tf.Tensor2D;
  };
}
