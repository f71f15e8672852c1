// 1,000 seeded mutations of a saved model's files (model.json as JSON and as bytes, the
// weights, the resume state, Keras HDF5 weights): each must load or fail with a clean
// one-line ConvkitError, never a crash, a TypeError or a tfjs internal error.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { tf } from '../../src';
import { Random } from '../../src/data/random';
import { ConvkitError } from '../../src/errors';
import { dropout, loadKerasWeights, saveKerasWeights } from '../../src/models';
import { sha256 } from '../../src/models/atomic_file';
import { compileModel, loadTrainingCheckpoint, restoreOptimizer, saveTrainingCheckpoint } from '../../src/training';
import * as tfl from '@tensorflow/tfjs-layers';
import { temporaryFolder } from './helpers';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function tinyModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ name: 'conv2d_1', filters: 4, kernelSize: 3, padding: 'same', inputShape: [8, 8, 3] }));
  model.add(tfl.layers.activation({ name: 'activation_1', activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ name: 'max_pooling2d_1', poolSize: 2 }));
  model.add(dropout({ name: 'dropout_1', rate: 0.25 }));
  model.add(tfl.layers.flatten({ name: 'flatten_1' }));
  model.add(tfl.layers.dense({ name: 'dense_1', units: 3, activation: 'softmax' }));
  return model;
}

const VALUES: Json[] = [null, true, false, -1, 0, 1, 2, 3.5, 1e9, -1e9, 1e300, '', 'same', 'valid', 'relu', 'Conv2D', 'Dense', 'LSTM',
  '../../etc/passwd', 'float16', [], [1], [0, 3], [null, 8, 8, 3], [3, 3, 3, 4], {}, { class_name: 'Zeros', config: {} }];

/** Every (container, key) in a JSON tree, so a mutation can hit any field at any depth. */
function slots(node: Json, found: Array<[Json[] | Record<string, Json>, string | number]> = []): typeof found {
  if (Array.isArray(node)) node.forEach((child, i) => { found.push([node, i]); slots(child, found); });
  else if (node && typeof node === 'object') for (const key of Object.keys(node)) { found.push([node, key]); slots(node[key], found); }
  return found;
}

function mutateJson(document: Json, random: Random): void {
  const all = slots(document);
  for (let n = 1 + random.int(3); n > 0; n--) {
    const [container, key] = all[random.int(all.length)];
    const operation = random.int(4);
    if (operation === 0 && Array.isArray(container)) container.splice(key as number, 1);
    else if (operation === 0) delete (container as Record<string, Json>)[key];
    else if (operation === 1 && Array.isArray(container)) container.push(structuredClone(container[key as number]));
    else (container as Record<string, Json>)[key] = structuredClone(VALUES[random.int(VALUES.length)]);
  }
}

function mutateBytes(bytes: Uint8Array, random: Random): Uint8Array {
  const copy = Buffer.from(bytes);
  switch (random.int(4)) {
    case 0: return copy.subarray(0, random.int(copy.length));
    case 1: return Buffer.concat([copy, Buffer.from(Array.from({ length: 1 + random.int(64) }, () => random.int(256)))]);
    default:
      for (let n = 1 + random.int(8); n > 0; n--) copy[random.int(copy.length)] = random.int(256);
      return copy;
  }
}

/** Runs `load`; passes when it succeeds or throws a one-line ConvkitError. */
async function expectCleanOutcome(label: string, load: () => Promise<void>): Promise<'loaded' | 'refused'> {
  try {
    await load();
    return 'loaded';
  } catch (e) {
    if (!(e instanceof ConvkitError)) assert.fail(`${label}: ${(e as Error)?.stack ?? e}`);
    assert.ok(!e.message.includes('\n') && e.message.length < 600, `${label}: not a one-line message: ${e.message}`);
    return 'refused';
  }
}

test('1,000 mutated model files load or fail with a clean ConvkitError', async () => {
  const random = Random.fromSeeds(2024);
  const base = temporaryFolder('fuzz-base');
  const model = tinyModel();
  compileModel(model);
  await model.trainOnBatch(tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 1), tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3));
  await saveTrainingCheckpoint(base, model, model.optimizer, {
    position: { epoch: 1, batch: 0 }, step: 1, random: { seed: 1, epoch: 1, batch: 0 }, partial: null, history: [{ loss: 1 }],
    callbacks: { earlyStopping: { best: Infinity, wait: 0, stoppedEpoch: null } }, finished: null,
  }, { classNames: ['a', 'b', 'c'], normalization: { mean: [0, 0, 0], std: [1, 1, 1] } });
  const h5File = path.join(base, 'weights.h5');
  await saveKerasWeights(model, h5File);
  model.dispose();

  const modelText = fs.readFileSync(path.join(base, 'model.json'), 'utf8');
  const files = JSON.parse(modelText).convkit.files as Record<string, { path: string }>;
  const original = new Map(Object.values(files).map((f) => [f.path, fs.readFileSync(path.join(base, f.path))]));
  const h5Bytes = fs.readFileSync(h5File);
  const work = temporaryFolder('fuzz-work');
  const outcomes = { loaded: 0, refused: 0 };

  /** Lays out the base checkpoint in `work`, with one file replaced and model.json's record of it patched or not. */
  const layOut = (document: string, replaced?: { role: string; bytes: Uint8Array; patchChecksum: boolean }) => {
    for (const [name, bytes] of original) fs.writeFileSync(path.join(work, name), bytes);
    if (!replaced) return fs.writeFileSync(path.join(work, 'model.json'), document);
    const parsed = JSON.parse(document);
    const entry = parsed.convkit.files[replaced.role];
    fs.writeFileSync(path.join(work, entry.path), replaced.bytes);
    if (replaced.patchChecksum) Object.assign(entry, { bytes: replaced.bytes.length, sha256: sha256(replaced.bytes) });
    fs.writeFileSync(path.join(work, 'model.json'), JSON.stringify(parsed));
  };
  const loadAll = async () => {
    const checkpoint = await loadTrainingCheckpoint(work);
    try {
      const fresh = tinyModel();
      compileModel(fresh);
      await restoreOptimizer(fresh, checkpoint.state.optimizer, checkpoint.optimizerData, checkpoint.file);
      fresh.dispose();
    } finally {
      checkpoint.model.dispose();
    }
  };

  for (let i = 0; i < 1000; i++) {
    const label = `case ${i}`;
    let load = loadAll;
    if (i < 400) {
      const document = JSON.parse(modelText) as Json;
      mutateJson(document, random);
      layOut(JSON.stringify(document));
    } else if (i < 550) {
      layOut(new TextDecoder().decode(mutateBytes(Buffer.from(modelText), random)));
    } else if (i < 900) {
      const role = ['weights', 'optimizer', 'resume'][i % 3];
      const bytes = mutateBytes(original.get(files[role].path)!, random);
      layOut(modelText, { role, bytes, patchChecksum: random.int(2) === 0 });
    } else {
      fs.writeFileSync(path.join(work, 'weights.h5'), mutateBytes(h5Bytes, random));
      load = async () => {
        const target = tinyModel();
        try {
          await loadKerasWeights(target, path.join(work, 'weights.h5'));
        } finally {
          target.dispose();
        }
      };
    }
    outcomes[await expectCleanOutcome(label, load)] += 1;
  }
  // Both outcomes occur: the mutations reach past the first check.
  assert.ok(outcomes.loaded > 20 && outcomes.refused > 500, JSON.stringify(outcomes));
});
