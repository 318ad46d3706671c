/**
 * Shannon entropy of a byte buffer in bits per byte (0..8), with a reused 256-entry count table:
 * H = log2(n) - (1/n) * sum(c * log2 c). The sum is built as the counts grow, from a precomputed table
 * of increments (c+1)log2(c+1) - c log2 c, so each byte costs one load, one add and one store.
 */

const TABLE_SIZE = 4096;
const counts = new Uint32Array(256);
/** STEP[c] = (c + 1) * log2(c + 1) - c * log2(c): what one more occurrence adds to sum(c log2 c). */
const STEP = new Float64Array(TABLE_SIZE);
for (let c = 0; c < TABLE_SIZE; c++) STEP[c] = (c + 1) * Math.log2(c + 1) - (c > 0 ? c * Math.log2(c) : 0);

function step(c: number): number {
  return c < TABLE_SIZE ? STEP[c] : (c + 1) * Math.log2(c + 1) - c * Math.log2(c);
}

/** Entropy of bytes [0, length) of `buf`; 0 for an empty buffer (no information, not "random"). */
export function shannonEntropy(buf: Uint8Array, length: number = buf.length): number {
  const n = Math.min(length, buf.length);
  if (n <= 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    const c = counts[b];
    sum += step(c);
    counts[b] = c + 1;
  }
  // Reset only what was touched, so the table is clean for the next call.
  for (let i = 0; i < n; i++) counts[buf[i]] = 0;
  const h = Math.log2(n) - sum / n;
  return h < 0 ? 0 : h;
}
