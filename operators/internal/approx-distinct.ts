/**
 * Approximate distinct counts with a small bitmap (linear counting, Whang et al. 1990): one bit per
 * hash bucket, n ~ -m ln(zeros / m). A 512-bit map stays within a few % up to ~1000 distinct values,
 * costs 16 numbers per window bucket and merges by OR, which sliding windows need.
 */

export const BITMAP_WORDS = 16;
export const BITMAP_BITS = BITMAP_WORDS * 32;

/** Sets the bit of `hash` in the bitmap stored at words[offset .. offset + BITMAP_WORDS). */
export function bitmapAdd(words: number[], offset: number, hash: number): void {
  const bit = (hash >>> 0) % BITMAP_BITS;
  const i = offset + (bit >>> 5);
  words[i] = (words[i] | (1 << (bit & 31))) | 0;
}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Sets the bit of `hash`; returns 1 when it was not set before (so callers can keep a count). */
export function bitmapAddCounting(words: number[], offset: number, hash: number): number {
  const bit = (hash >>> 0) % BITMAP_BITS;
  const i = offset + (bit >>> 5);
  const mask = 1 << (bit & 31);
  const w = words[i];
  if ((w & mask) !== 0) return 0;
  words[i] = (w | mask) | 0;
  return 1;
}

// Estimates by number of set bits, precomputed: the hot path reads a table instead of calling log.
const ESTIMATE = new Float64Array(BITMAP_BITS + 1);
for (let b = 1; b <= BITMAP_BITS; b++) {
  const zeros = BITMAP_BITS - b;
  // A full map saturates; report the estimate of half a zero bit rather than infinity.
  ESTIMATE[b] = Math.round(-BITMAP_BITS * Math.log((zeros === 0 ? 0.5 : zeros) / BITMAP_BITS));
}

/** Linear-counting estimate from the number of set bits. */
export function estimateFromSetBits(setBits: number): number {
  return ESTIMATE[setBits];
}

/** Writes the union of `count` consecutive bitmaps of `src` into `dst` (one bitmap); returns its set bits. */
export function unionInto(dst: number[], src: number[], count: number): number {
  let bits = 0;
  for (let w = 0; w < BITMAP_WORDS; w++) {
    let x = 0;
    for (let b = 0; b < count; b++) x |= src[b * BITMAP_WORDS + w];
    dst[w] = x;
    bits += popcount32(x);
  }
  return bits;
}

/** Estimate of distinct values in one bitmap. */
export function bitmapEstimate(words: number[], offset: number): number {
  let bits = 0;
  for (let i = 0; i < BITMAP_WORDS; i++) bits += popcount32(words[offset + i]);
  return estimateFromSetBits(bits);
}

/** Estimate of distinct values in the union of `count` consecutive bitmaps starting at word 0. */
export function unionEstimate(words: number[], count: number): number {
  let bits = 0;
  for (let w = 0; w < BITMAP_WORDS; w++) {
    let x = 0;
    for (let b = 0; b < count; b++) x |= words[b * BITMAP_WORDS + w];
    bits += popcount32(x);
  }
  return estimateFromSetBits(bits);
}

/** Clears one bitmap in place. */
export function bitmapClear(words: number[], offset: number): void {
  for (let i = 0; i < BITMAP_WORDS; i++) words[offset + i] = 0;
}

export function newBitmaps(count: number): number[] {
  return new Array<number>(count * BITMAP_WORDS).fill(0);
}
