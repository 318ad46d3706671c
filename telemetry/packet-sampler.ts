/**
 * Decides which packets are traced, with probability `ratio` each, independently: instead of one
 * random draw per packet it draws the gap to the next sampled packet (geometric distribution),
 * which is the same distribution at one draw per SAMPLED packet. Seeded, so tests are repeatable.
 */
export class PacketSampler {
  /** Indexes (in the last chunk) of the sampled packets, the first `pick()` of them valid. */
  picked = new Int32Array(16);
  private skip: number;
  private state: number;
  private readonly logKeep: number;

  constructor(readonly ratio: number, seed = 0x9e3779b9) {
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`trace sample ratio must be within [0, 1], got ${ratio}`);
    this.state = seed >>> 0 || 1;
    this.logKeep = Math.log1p(-ratio);
    this.skip = this.nextGap();
  }

  /** Packets to skip before the next sampled one: P(gap = k) = (1-p)^k p. */
  private nextGap(): number {
    if (this.ratio >= 1) return 0;
    if (this.ratio <= 0) return Infinity;
    // xorshift32: cheap and seedable.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    const u = (this.state + 0.5) / 4294967296;
    return Math.floor(Math.log(u) / this.logKeep);
  }

  /** Picks the sampled packets among the next `n`; returns how many (indexes in `picked`). */
  pick(n: number): number {
    if (this.skip >= n) {
      this.skip -= n;
      return 0;
    }
    let count = 0;
    let pos = this.skip;
    while (pos < n) {
      if (count === this.picked.length) {
        const grown = new Int32Array(this.picked.length * 2);
        grown.set(this.picked);
        this.picked = grown;
      }
      this.picked[count++] = pos;
      pos += 1 + this.nextGap();
    }
    this.skip = pos - n;
    return count;
  }
}
