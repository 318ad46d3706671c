/**
 * A histogram with fixed boundaries kept in plain numbers: `record` is a binary search and two
 * additions, no allocation, no attribute lookup, so the runtime can record every packet of a
 * chunk. The OpenTelemetry export reads it at scrape time (histogram-producer.ts).
 */
export class FixedHistogram {
  /** counts[i] = values in (boundaries[i-1], boundaries[i]]; the last one is +Inf. */
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly bounds: Float64Array;

  constructor(readonly boundaries: readonly number[]) {
    for (let i = 1; i < boundaries.length; i++) {
      if (!(boundaries[i] > boundaries[i - 1])) throw new RangeError(`histogram boundaries must increase, got ${boundaries[i - 1]} then ${boundaries[i]}`);
    }
    this.bounds = Float64Array.from(boundaries);
    this.counts = new Float64Array(boundaries.length + 1);
  }

  record(v: number): void {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length;
    // First boundary >= v (buckets are inclusive upper bounds).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}
