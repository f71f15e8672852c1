// A small seeded generator so noise patches, starting images and sample picks repeat
// exactly from one run to the next (tfjs's own seeds depend on the backend).

/** splitmix32: good enough statistical quality for noise, tiny and fast. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return ((z ^ (z >>> 15)) >>> 0) / 4294967296;
  }

  /** Integer in [low, high]. */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** Standard normal (Box-Muller). */
  gaussian(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** `count` distinct indices out of `total`, in random order (partial Fisher-Yates). */
  sample(total: number, count: number): number[] {
    const pool = Array.from({ length: total }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = this.integer(i, total - 1);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, count);
  }
}
