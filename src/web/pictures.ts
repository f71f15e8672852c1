// Pictures for the page: images, heat maps and overlays (coloured by insight's render
// functions) encoded as small PNG data URLs at their own size; the page scales them up
// with pixelated rendering, so 32x32 pixels stay crisp at any size.
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';

import { FeatureMaps, featureMapChannel } from '../insight/feature_maps';
import type { Image } from '../insight/images';
import { convLayers } from '../insight/layers';
import { blueWhiteRed, inferno, yellowOrangeRed } from '../insight/render/colormaps';
import { heatImage, overlayHeat } from '../insight/render/drawing';
import type { FeatureMapSet, Picture } from './api_types';

export async function picture(image: Image): Promise<Picture> {
  const png = await sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength), {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 },
  }).png({ compressionLevel: 6 }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

function peak(values: ArrayLike<number>): number {
  let highest = 0;
  for (let i = 0; i < values.length; i++) highest = Math.max(highest, values[i]);
  return highest;
}

/** "How much it matters" (occlusion drops, Grad-CAM, gradient size) over a pale copy of the image. */
export function importanceOverlay(image: Image, values: ArrayLike<number>): Promise<Picture> {
  return picture(overlayHeat(image, values, yellowOrangeRed, 0, peak(values) || 1));
}

/** The first `limit` channels of a layer's output, each map scaled to its own range. */
export async function featureMapSet(maps: FeatureMaps, limit = 32): Promise<FeatureMapSet> {
  const shown = Math.min(maps.channels, limit);
  const tiles = await Promise.all(Array.from({ length: shown }, (_, channel) => {
    const plane = featureMapChannel(maps, channel);
    const low = Math.min(0, plane.reduce((lowest, v) => Math.min(lowest, v), Infinity));
    const high = plane.reduce((highest, v) => Math.max(highest, v), -Infinity);
    return picture(heatImage(plane, maps.height, maps.width, inferno, low, high > low ? high : low + 1));
  }));
  return { layerName: maps.layerName, outputLayerName: maps.outputLayerName, width: maps.width, height: maps.height, channels: maps.channels, tiles };
}

/**
 * The first conv layer's kernels as pictures: colour when it reads RGB (each kernel
 * stretched around grey by its own largest weight), else the channel-mean as blue-white-red.
 */
export async function firstLayerFilters(model: tfl.LayersModel, limit = 32): Promise<{ layerName: string; tiles: Picture[] } | null> {
  const layer = convLayers(model)[0];
  const kernel = layer?.getWeights()[0];
  if (!kernel || kernel.rank !== 4) return null;
  const [height, width, inputs, outputs] = kernel.shape;
  const values = kernel.dataSync() as Float32Array;
  const at = (y: number, x: number, c: number, filter: number) => values[((y * width + x) * inputs + c) * outputs + filter];
  const tiles: Array<Promise<Picture>> = [];
  for (let filter = 0; filter < Math.min(outputs, limit); filter++) {
    let scale = 0;
    for (let i = 0; i < height * width * inputs; i++) scale = Math.max(scale, Math.abs(values[i * outputs + filter]));
    scale ||= 1;
    if (inputs === 3) {
      const pixels = new Uint8Array(height * width * 3);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = Math.round(127.5 + 127.5 * at(y, x, c, filter) / scale);
        }
      }
      tiles.push(picture({ pixels, height, width, channels: 3 }));
    } else {
      const mean = Float32Array.from({ length: height * width }, (_, p) => {
        let sum = 0;
        for (let c = 0; c < inputs; c++) sum += at(Math.floor(p / width), p % width, c, filter);
        return sum / inputs;
      });
      tiles.push(picture(heatImage(mean, height, width, blueWhiteRed, -scale, scale)));
    }
  }
  return { layerName: layer.name, tiles: await Promise.all(tiles) };
}
