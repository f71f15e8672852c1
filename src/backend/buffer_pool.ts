// Recycles the Float32Arrays that native kernels write their outputs into. A fresh large
// typed array costs page faults and zero-filling on every training step; a disposed
// tensor's array, reused for the next output of the same size, costs neither.
//
// Only arrays this pool handed out are recycled, and only while nobody else can see
// them: an array that leaves the backend (readSync, dataSync) or is wrapped by another
// tensor (a Slice view) is marked escaped and left to the garbage collector.

// Enough for one training step's outputs at batch 1024 on the fast recipe's network: at the
// end of a step the pool holds 2.9 GB, up to 14 arrays of one size (its [1024, 15, 15, 64]
// and [1024, 7, 7, 256] activations and their gradients). Smaller caps (2 GB, 8 per size)
// dropped 0.78 GB of arrays a step, and their fresh replacements' page faults (~1 GB/s)
// landed in the backward kernels that took them (GeluGrad, BatchNormTrainingGrad and
// Conv2DBackpropInput): about 0.8 s a step, several times those kernels' own work. The
// pool holds only arrays that the step would allocate again, so it adds little to the peak:
// `npm run bench -- --models fast --batch 1024` peaked at 3.15 GB RSS, 3.13 GB with the
// smaller caps (the arrays they dropped were garbage awaiting collection). CONVKIT_POOL_MB
// overrides it.
const MAX_POOLED_BYTES = (Number(process.env.CONVKIT_POOL_MB) || 4096) * 1024 * 1024;
const MAX_PER_SIZE = 32;

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
    if (stack.length >= MAX_PER_SIZE || this.pooledBytes + values.byteLength > MAX_POOLED_BYTES) {
      this.owned.delete(values.buffer);
      return;
    }
    stack.push(values);
    this.free.set(values.length, stack);
    this.pooledBytes += values.byteLength;
  }

  /** The array is visible outside the backend from now on: never recycle it. */
  escape(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.owned.delete(values.buffer);
  }
}

export const bufferPool = new BufferPool();
