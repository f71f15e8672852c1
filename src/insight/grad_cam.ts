// Grad-CAM (Selvaraju et al. 2017): weight the last conv layer's feature maps by how much
// the class score rises with each, keep the positive evidence, and scale it up to the image.
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../index';
import { ConvkitError } from '../errors';
import { Image, Preprocess, modelInput, scaleToUnit, tidyValues } from './images';
import {
  assertClassIndex, assertImageFitsModel, isConvLayer, lastConvLayer, layerNamed, modelUpTo, scoresFromLayer,
} from './layers';

export interface GradCamOptions {
  /** The class explained; defaults to the model's prediction. */
  classIndex?: number;
  /** A conv layer; defaults to the last one. */
  layerName?: string;
  preprocess?: Preprocess;
}

export interface GradCamMap {
  classIndex: number;
  layerName: string;
  /** The map at the layer's own resolution, before scaling up. */
  grid: Float32Array;
  gridHeight: number;
  gridWidth: number;
  /** The map bilinearly scaled to the image, 0..1 (all zeros when nothing speaks for the class). */
  heat: Float32Array;
  height: number;
  width: number;
}

export function gradCam(model: tfl.LayersModel, image: Image, options: GradCamOptions = {}): GradCamMap {
  assertImageFitsModel(model, image);
  const layer = options.layerName ? layerNamed(model, options.layerName) : lastConvLayer(model);
  if (!isConvLayer(layer)) throw new ConvkitError(`Grad-CAM needs a convolution layer, and "${layer.name}" is a ${layer.getClassName()}`);
  const toScores = scoresFromLayer(model, layer);
  const { height, width } = image;

  return tidyValues(() => {
    const activation = modelUpTo(model, layer).apply(modelInput(image, options.preprocess ?? scaleToUnit)) as tf.Tensor4D;
    const scores = toScores(activation);
    const classIndex = options.classIndex ?? tf.argMax(scores, 1).dataSync()[0];
    assertClassIndex(classIndex, scores.shape[1]);
    const gradients = tf.grad((a: tf.Tensor) => tf.sum(tf.slice(toScores(a), [0, classIndex], [-1, 1])))(activation);
    const channelWeights = tf.mean(gradients, [1, 2], true);
    const cam = tf.relu(tf.sum(tf.mul(activation, channelWeights), 3, true)) as tf.Tensor4D;
    const peak = tf.max(cam).dataSync()[0];
    const normalised = peak > 0 ? tf.div(cam, peak) as tf.Tensor4D : cam;
    const scaled = tf.image.resizeBilinear(normalised, [height, width], true);
    return {
      classIndex, layerName: layer.name,
      grid: normalised.dataSync() as Float32Array, gridHeight: cam.shape[1], gridWidth: cam.shape[2],
      heat: tf.clipByValue(scaled, 0, 1).dataSync() as Float32Array, height, width,
    };
  });
}
