// The models convkit builds by name: the tutorial's two and the fast recipe's.
import * as tfl from '@tensorflow/tfjs-layers';

import { ConvkitError } from '../errors';
import { FAST_SMALL_WIDTHS, fastModel } from './fast';
import { BuildOptions, basicModel, improvedModel } from './tutorial';

export const MODEL_NAMES = ['basic', 'improved', 'fast', 'fast-small'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/** `buildModel('basic')`: a model by name (see tutorial.ts and fast.ts). */
export function buildModel(name: string, options: BuildOptions = {}): tfl.Sequential {
  if (name === 'basic') return basicModel(options);
  if (name === 'improved') return improvedModel(options);
  if (name === 'fast') return fastModel(options);
  if (name === 'fast-small') return fastModel({ ...options, widths: [...FAST_SMALL_WIDTHS] });
  throw new ConvkitError(`unknown model '${name}': use ${MODEL_NAMES.join(', ')}, or the path of a model .json file`);
}
