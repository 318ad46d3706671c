/**
 * Seeded PRNG (mulberry32). Every random choice of the generator comes from one of these, each slot
 * owning its own stream, so output depends only on the seed and config, never on the clock or on
 * how other slots interleave.
 */
export class Prng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Exponential with the given mean: Poisson-process inter-arrivals. */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** `x` scaled by a uniform factor in [1 - frac, 1 + frac]. */
  jitter(x: number, frac: number): number {
    return x * (1 + frac * (2 * this.next() - 1));
  }

  /** Index skewed towards 0 (a few popular peers, a long tail), in [0, n). */
  skewed(n: number): number {
    const u = this.next();
    return Math.floor(n * u * u);
  }

  fill(buf: Buffer): void {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(this.u32(), i);
    for (; i < buf.length; i++) buf[i] = this.u32() & 0xff;
  }
}

/** Derives an independent stream seed from the run seed and a stable key (murmur3 finaliser). */
export function mixSeed(seed: number, key: number): number {
  let h = (seed ^ Math.imul(key + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
