// Kernel outputs computed only if something reads them. A conv whose output goes only to the
// max pool it computes itself (pooled.ts), and whose gradient reads only that pool's record,
// leaves the output unwritten: in a training step nothing reads it, and not writing it saves
// the memory traffic of a tensor as large as the layer's activations. Its data record's
// `values` is a getter until then: the first read computes the values (the same kernel on
// the same inputs, kept for it) and stores them, so no reader can tell.
import { DataId, engine, TensorInfo } from '@tensorflow/tfjs-core';

import { bufferPool } from './buffer_pool';
import { Backend, output } from './kernel_utils';

interface Pending {
  backend: Backend;
  /** Data kept alive (their refCount raised) for `compute`, released once it ran or is dropped. */
  holds: DataId[];
  /** Arrays from the buffer pool that only `compute` reads, given back then. */
  arrays: Float32Array[];
}

const pending = new WeakMap<object, Pending>();

/**
 * A tensor of `shape` whose values `compute` gives when first read. `compute` may read the
 * data of `holds`, which stays alive (and unchanged: tensor data is immutable) until then,
 * and `arrays` (from the buffer pool), which go back to the pool then.
 */
export function lazyOutput(backend: Backend, shape: number[], holds: TensorInfo[], arrays: Float32Array[],
  compute: () => Float32Array): TensorInfo {
  const result = output(backend, shape, new Float32Array(0));
  const record = backend.data.get(result.dataId);
  const settle = (values: Float32Array) => {
    Object.defineProperty(record, 'values', { value: values, writable: true, enumerable: true, configurable: true });
    releaseLazyOutput(result.dataId);
  };
  Object.defineProperty(record, 'values', {
    enumerable: true,
    configurable: true,
    get() {
      const values = compute();
      settle(values);
      return values;
    },
    set: settle,
  });
  for (const held of holds) backend.incRef(held.dataId);
  pending.set(result.dataId, { backend, holds: holds.map((held) => held.dataId), arrays });
  return result;
}

/** The values a data record holds now, without computing a lazy output's. */
export function storedValues(record: object): unknown {
  return Object.getOwnPropertyDescriptor(record, 'values')?.value;
}

/** Called when a tensor's data is released or computed: lets go of what it kept. */
export function releaseLazyOutput(dataId: DataId): void {
  const entry = pending.get(dataId);
  if (!entry) return;
  pending.delete(dataId);
  for (const held of entry.holds) {
    // As the engine does when it disposes the last tensor of some data.
    if (entry.backend.disposeData(held)) engine().removeDataId(held, entry.backend);
  }
  for (const array of entry.arrays) bufferPool.give(array);
}
