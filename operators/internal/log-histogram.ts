/**
 * A fixed log-bucket histogram of non-negative scores in a plain number array (keyed state, JSON):
 * 16 buckets per octave from 2^-6 to 2^10 (4.4 % resolution), bucket 0 below the range, the last one
 * above. A quantile is the upper edge of the bucket where the cumulative count reaches it, i.e. it
 * errs high, which is the safe side for a threshold.
 */

const MIN = 1 / 64;
const PER_OCTAVE = 16;
const OCTAVES = 16;
export const LOG_HISTOGRAM_BUCKETS = 1 + PER_OCTAVE * OCTAVES;

export function newLogHistogram(): number[] {
  return new Array<number>(LOG_HISTOGRAM_BUCKETS).fill(0);
}

export function logBucketOf(x: number): number {
  if (!(x >= MIN)) return 0;
  const i = 1 + Math.floor(Math.log2(x / MIN) * PER_OCTAVE);
  return i >= LOG_HISTOGRAM_BUCKETS ? LOG_HISTOGRAM_BUCKETS - 1 : i;
}

export function logBucketUpperEdge(i: number): number {
  return MIN * Math.pow(2, i / PER_OCTAVE);
}

/** q-quantile (0..1) of the histogram holding `total` weight; 0 when empty. */
export function logHistogramQuantile(hist: number[], total: number, q: number): number {
  if (total <= 0) return 0;
  const target = q * total;
  let cum = 0;
  for (let i = 0; i < hist.length; i++) {
    cum += hist[i];
    if (cum >= target) return logBucketUpperEdge(i);
  }
  return logBucketUpperEdge(hist.length - 1);
}
