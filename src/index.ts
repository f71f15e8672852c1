// convkit: importing it makes the native CPU backend the active tfjs backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './tfjs_extras';

import { registerNativeBackend } from './backend';

registerNativeBackend();

export { tf };
export * as backend from './backend';
export * as ops from './ops';
export * as optimizers from './optimizers';
