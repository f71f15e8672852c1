// The tutorial's two models as exact layer lists, for benchmarks that must not depend on
// the training code's choices (the PyTorch twin is ../shared/bench/torch_reference.py).
import * as tfl from '@tensorflow/tfjs-layers';

import { optimizers } from '../src';

type Block = tfl.layers.Layer[];

function convRelu(filters: number, padding: 'valid' | 'same', inputShape?: number[]): Block {
  return [tfl.layers.conv2d({ filters, kernelSize: 3, padding, ...(inputShape ? { inputShape } : {}) }),
    tfl.layers.activation({ activation: 'relu' })];
}

function poolDropout(): Block {
  return [tfl.layers.maxPooling2d({ poolSize: 2 }), tfl.layers.dropout({ rate: 0.25 })];
}

function denseRelu(units: number): Block {
  return [tfl.layers.dense({ units }), tfl.layers.activation({ activation: 'relu' }), tfl.layers.dropout({ rate: 0.5 })];
}

function sequential(layers: Block): tfl.Sequential {
  const model = tfl.sequential({ layers });
  model.compile({ optimizer: optimizers.adam(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export function basicModel(): tfl.Sequential {
  return sequential([
    ...convRelu(32, 'valid', [32, 32, 3]), ...convRelu(32, 'valid'), ...poolDropout(),
    ...convRelu(64, 'valid'), ...convRelu(64, 'valid'), ...poolDropout(),
    tfl.layers.flatten(), ...denseRelu(256), tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

export function improvedModel(): tfl.Sequential {
  const blocks: Block = [];
  [32, 64, 128].forEach((f, i) => blocks.push(...convRelu(f, 'same', i === 0 ? [32, 32, 3] : undefined),
    ...convRelu(f, 'same'), ...poolDropout()));
  return sequential([...blocks, tfl.layers.flatten(), ...denseRelu(512), ...denseRelu(256),
    tfl.layers.dense({ units: 10, activation: 'softmax' })]);
}
