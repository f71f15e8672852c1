// What each conv layer produces for one image, as in the tutorial's
// visualize_hidden_layer_output.py: every channel of the layer's output as a small map.
import * as tfl from '@tensorflow/tfjs-layers';

import { tf } from '../index';
import { Image, Preprocess, modelInput, scaleToUnit, tidyValues } from './images';
import { Layer, activationLayerAfter, assertImageFitsModel, convLayers, layerNamed, modelUpTo } from './layers';

export interface FeatureMaps {
  layerName: string;
  /** The layer whose output this is: `layerName`, or the Activation layer right after it. */
  outputLayerName: string;
  height: number;
  width: number;
  channels: number;
  /** The layer output for the image, HWC: values[(y * width + x) * channels + c]. */
  values: Float32Array;
}

export interface FeatureMapOptions {
  /** Layers to show; by default every conv layer. */
  layerNames?: string[];
  preprocess?: Preprocess;
  /**
   * When an Activation layer directly follows a chosen layer (CONV then ReLU written as two
   * layers), show its output, which is what the next layer sees. Default true.
   */
  afterActivation?: boolean;
}

/** The output of each chosen layer for one image, computed in a single forward pass. */
export function featureMaps(model: tfl.LayersModel, image: Image, options: FeatureMapOptions = {}): FeatureMaps[] {
  assertImageFitsModel(model, image);
  const layers: Layer[] = options.layerNames
    ? options.layerNames.map((name) => layerNamed(model, name))
    : convLayers(model);
  if (layers.length === 0) return [];
  const shownLayers = layers.map((layer) =>
    (options.afterActivation ?? true) ? activationLayerAfter(model, layer) ?? layer : layer);
  const outputs = tfl.model({ inputs: model.inputs, outputs: shownLayers.map((layer) => modelUpTo(model, layer).outputs[0]) });
  return tidyValues(() => {
    const results = outputs.predict(modelInput(image, options.preprocess ?? scaleToUnit));
    const tensors = Array.isArray(results) ? results : [results];
    return tensors.map((tensor, i) => {
      const [height, width, channels] = (tensor.rank === 4 ? tensor.shape.slice(1) : [1, 1, tensor.shape[1]]) as number[];
      return {
        layerName: layers[i].name, outputLayerName: shownLayers[i].name, height, width, channels,
        values: tensor.dataSync() as Float32Array,
      };
    });
  });
}

/** Channel `channel` of a feature map as its own height x width array. */
export function featureMapChannel(maps: FeatureMaps, channel: number): Float32Array {
  const plane = new Float32Array(maps.height * maps.width);
  for (let i = 0; i < plane.length; i++) plane[i] = maps.values[i * maps.channels + channel];
  return plane;
}
