// Reads any JPEG/PNG (or other format sharp knows) and fits it to a model's input size.
import * as fs from 'fs';
import sharp from 'sharp';

import { ConvkitError } from '../errors';
import type { Image } from './images';

/** How an image of another shape becomes the model's: stretch (fill, as training reads image folders), crop (cover) or pad (contain). */
export type ResizeFit = 'cover' | 'fill' | 'contain';

export interface ImageFileOptions {
  height: number;
  width: number;
  /** 1 for grey models, 3 for colour ones. */
  channels: number;
  fit?: ResizeFit;
}

export async function loadImageFile(file: string, options: ImageFileOptions): Promise<Image> {
  if (!fs.existsSync(file)) throw new ConvkitError(`image ${file} does not exist`);
  if (fs.statSync(file).isDirectory()) throw new ConvkitError(`${file} is a folder, not an image`);
  const { height, width, channels } = options;
  if (channels !== 1 && channels !== 3) {
    throw new ConvkitError(`only grey (1) and colour (3) models can read image files, not ${channels} channels`);
  }
  try {
    let pipeline = sharp(file, { failOn: 'error' })
      .rotate()  // honour the EXIF orientation of phone photos
      .flatten({ background: '#ffffff' })
      .resize({ width, height, fit: options.fit ?? 'fill', kernel: 'lanczos3', background: '#ffffff' });
    pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels`);
    return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), height, width, channels };
  } catch (error) {
    throw new ConvkitError(`${file} is not an image convkit can read (${(error as Error).message})`, { cause: error });
  }
}
