// convkit: importing it makes the native CPU backend the active tfjs backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

import { registerNativeBackend } from './backend';

registerNativeBackend();

export { tf };
export * as backend from './backend';
