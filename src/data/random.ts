// A small seeded PRNG (sfc32) whose whole state is four uint32s, so a run can be replayed
// or resumed from (seed, epoch, batch) alone: no hidden global random state anywhere.

/** The complete state of a `Random`; plain numbers so it survives JSON. */
export type RandomState = [number, number, number, number];

/** Mixes 32 bits thoroughly (murmur3's finaliser); used to spread seeds over the state. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of integers (seed, stream, epoch, ...) into one 32-bit value. */
export function hashSeeds(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Fold in both 32-bit halves so seeds above 2^32 stay distinct.
    const low = part >>> 0;
    const high = Math.floor(part / 0x100000000) >>> 0;
    h = mix32(h ^ mix32(low + 0x7f4a7c15));
    h = mix32(h ^ mix32(high + 0x3c6ef372));
  }
  return h;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(state: RandomState) {
    // Held as int32 (not uint32): V8 then keeps them as small integers instead of doubles.
    [this.a, this.b, this.c, this.d] = state.map((v) => v | 0);
  }

  /** A generator determined by the given integers only (e.g. seed, stream id, epoch). */
  static fromSeeds(...parts: number[]): Random {
    const h = hashSeeds(...parts);
    const random = new Random([mix32(h ^ 0x1), mix32(h ^ 0x2), mix32(h ^ 0x3), 1]);
    for (let i = 0; i < 12; i++) random.nextUint32();  // sfc32's recommended warm-up
    return random;
  }

  static fromState(state: RandomState): Random {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((v) => Number.isInteger(v))) {
      throw new TypeError('a Random state is an array of four integers');
    }
    return new Random(state);
  }

  state(): RandomState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Fills `target` with uniform uint32s: the same numbers as repeated nextUint32(), much faster. */
  fillUint32(target: Uint32Array, count = target.length): void {
    // The state lives in locals during the loop; property writes per draw cost more than sfc32 itself.
    let a = this.a | 0, b = this.b | 0, c = this.c | 0, d = this.d | 0;
    for (let i = 0; i < count; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      target[i] = t;
    }
    this.a = a; this.b = b; this.c = c; this.d = d;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** Uniform integer in [0, n), n <= 2^32 (the bias of n/2^32 is far below anything measurable here). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Standard normal sample (Box-Muller; one of the pair is discarded to keep the state simple). */
  normal(): number {
    const u = 1 - this.float();  // (0, 1], so log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Fisher-Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }
}
