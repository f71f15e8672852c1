// Recycles the Float32Arrays that native kernels write their outputs into. A fresh large
// typed array costs page faults and zero-filling on every training step; a disposed
// tensor's array, reused for the next output of the same size, costs neither.
//
// Only arrays this pool handed out are recycled, and only while nobody else can see
// them: an array that leaves the backend (readSync, dataSync) or is wrapped by another
// tensor (a Slice view) is marked escaped and left to the garbage collector.

// Enough for one training step's outputs at batch 1024 on the fast recipe's network: 2.8
// GB, up to 14 arrays of one size (measured). Any size may fill it: a cap per size (there
// was one of 8) or a smaller total left the backward pass to allocate ~740 MB afresh every
// step, ~190,000 page faults. The pool holds only arrays that the step allocates again, so
// it adds nothing to the peak (measured 2.98 GB against 3.02 GB with the caps).
// CONVKIT_POOL_MB overrides it.
const MAX_POOLED_BYTES = (Number(process.env.CONVKIT_POOL_MB) || 4096) * 1024 * 1024;

class BufferPool {
  private free = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  private owned = new WeakSet<object>();

  /** An array of `length` floats with arbitrary contents: the kernel must write all of it. */
  take(length: number): Float32Array {
    const stack = this.free.get(length);
    const reused = stack?.pop();
    if (reused) {
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const fresh = new Float32Array(length);
    this.owned.add(fresh.buffer);
    return fresh;
  }

  /** Called when a tensor's data is released: keeps the array if it is ours and unseen. */
  give(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values.buffer)) return;
    if (values.byteLength !== values.buffer.byteLength) return;  // a view, not the whole array
    const stack = this.free.get(values.length) ?? [];
    if (this.pooledBytes + values.byteLength > MAX_POOLED_BYTES) {
      this.owned.delete(values.buffer);
      return;
    }
    stack.push(values);
    this.free.set(values.length, stack);
    this.pooledBytes += values.byteLength;
  }

  /** Whether only the backend can see the array (one the pool handed out and nobody else saw). */
  isPrivate(values: Float32Array): boolean {
    return this.owned.has(values.buffer) && values.byteLength === values.buffer.byteLength;
  }

  /** The array is visible outside the backend from now on: never recycle it. */
  escape(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.owned.delete(values.buffer);
  }
}

export const bufferPool = new BufferPool();
