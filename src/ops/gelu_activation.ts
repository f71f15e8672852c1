// Makes tfjs-layers' activation 'gelu' (tfl.layers.activation({ activation: 'gelu' }), or a
// dense or conv layer's `activation: 'gelu'`) run convkit's one-kernel GELU. tfjs-layers looks
// activations up by class name in tfjs's serialisation registry when a layer is built, so
// registering a class under 'gelu' replaces tfjs-layers' five-op version for layers built
// afterwards. Same function, same name, so saved models are unaffected.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers must register its own 'gelu' first, for this one to replace it.
import '@tensorflow/tfjs-layers';
import type { Activation } from '@tensorflow/tfjs-layers/dist/activations';

import { gelu } from './gelu';

// tfjs-layers does not export its activation classes (and dist/activations.js is an ES
// module Node cannot require): extend the registered class, which shares the Activation
// base the rest of tfjs-layers checks against.
const TfjsGelu = tf.serialization.SerializationMap.getMap().classNameMap['gelu'][0] as
  unknown as tf.serialization.SerializableConstructor<Activation>;

export class Gelu extends TfjsGelu {
  static override className = 'gelu';

  override apply(x: tf.Tensor): tf.Tensor {
    return gelu(x);
  }
}
tf.serialization.registerClass(Gelu);
