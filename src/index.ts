// convkit: importing it makes the native CPU backend the active tfjs backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './tfjs_extras';
// tfjs-layers registers its own copy of tfjs's gradients when first loaded: load it before
// the native backend, whose relu gradient must replace tfjs's, not be replaced by it.
import '@tensorflow/tfjs-layers';

import { registerNativeBackend } from './backend';

registerNativeBackend();

export { tf };
export * as backend from './backend';
export * as data from './data';
export * as ops from './ops';
export * as optimizers from './optimizers';
export * as models from './models';
export * as training from './training';
export * as insight from './insight';
