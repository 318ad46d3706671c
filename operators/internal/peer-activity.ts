/**
 * Per-(VM, peer) activity, one entry per slot of the VM's bounded peer set: how many recent seconds
 * the VM uploaded in bulk to that peer (sustained volume: exfiltration to a usual server), and how
 * regular the intervals between the connections it opens to the peer are (a beacon to a site it
 * uses). Plain number arrays so the state checkpoints as JSON; updated in place, nothing allocated
 * per packet. A slot reused for a new peer starts from zero (`resetPeerSlot`).
 */

/** Bytes the VM must send to a peer within one second for that second to count as busy. */
export const BUSY_BYTES = 32_768;
/**
 * Time constant of the decayed count of busy seconds: half a minute, so a backup's burst of a few
 * seconds every half minute stays a few, and an upload that lasts a minute reaches tens.
 */
export const BUSY_TAU_US = 30_000_000;
/** Opens closer than this to the previous one (parallel connections, retries) are not an interval. */
export const MIN_GAP_US = 500_000;
/** Intervals this long or longer say nothing about a beacon (a daily job). */
export const MAX_GAP_US = 600_000_000;
/** Regular intervals in a row needed before the regularity is judged. */
export const BEAT_MIN_GAPS = 2;
/**
 * An interval within this (in log, ~5 %) of the one before continues a regular streak: a beacon's
 * jitter is a few per cent, a backup job's schedule (+-10 %) must not beat.
 */
export const BEAT_SD = 0.05;
/** Weight of the newest change of interval in the jitter estimate. */
const JITTER_ALPHA = 0.5;

export interface PeerActivity {
  /** Decayed count of busy seconds, as of busyAt (µs). */
  busy: number[];
  busyAt: number[];
  /** The current second (floor(ts / 1 s)) and the bytes sent in it; -1 bytes once it has counted. */
  sec: number[];
  secBytes: number[];
  /**
   * Time of the last open; log of the last interval; moving mean of |change of log interval| from one
   * interval to the next (the jitter); intervals in a row that changed by less than BEAT_SD.
   * Consecutive changes, not a variance over all intervals: a beacon that starts after months of
   * irregular traffic to the peer is regular from its third connection on.
   */
  lastOpen: number[];
  gapMean: number[];
  gapVar: number[];
  gapN: number[];
}

export function newPeerActivity(cap: number): PeerActivity {
  const z = (v: number): number[] => new Array<number>(cap).fill(v);
  return { busy: z(0), busyAt: z(0), sec: z(-1), secBytes: z(0), lastOpen: z(-1), gapMean: z(0), gapVar: z(0), gapN: z(0) };
}

export function resetPeerSlot(a: PeerActivity, slot: number, ts: number): void {
  a.busy[slot] = 0; a.busyAt[slot] = ts; a.sec[slot] = -1; a.secBytes[slot] = 0;
  a.lastOpen[slot] = -1; a.gapMean[slot] = 0; a.gapVar[slot] = 0; a.gapN[slot] = 0;
}

/**
 * Counts `bytes` the VM sent to the peer at `ts`; returns the decayed number of recent busy seconds
 * (call with 0 bytes to read it).
 */
export function addPeerBytes(a: PeerActivity, slot: number, ts: number, bytes: number): number {
  const since = ts - a.busyAt[slot];
  // Decayed at most once per 1/64 of the time constant (an exp per packet of an upload is wasted).
  if (since >= BUSY_TAU_US / 64) {
    if (a.busy[slot] > 0) a.busy[slot] *= Math.exp(-since / BUSY_TAU_US);
    a.busyAt[slot] = ts;
  }
  if (bytes > 0) {
    const s = Math.floor(ts / 1_000_000);
    if (s !== a.sec[slot]) {
      a.sec[slot] = s;
      a.secBytes[slot] = 0;
    }
    if (a.secBytes[slot] >= 0) {
      a.secBytes[slot] += bytes;
      if (a.secBytes[slot] >= BUSY_BYTES) {
        a.busy[slot] += 1;
        a.secBytes[slot] = -1;
      }
    }
  }
  return a.busy[slot];
}

/** Records a connection the VM opened to the peer at `ts`. */
export function addPeerOpen(a: PeerActivity, slot: number, ts: number): void {
  const last = a.lastOpen[slot];
  if (last >= 0) {
    const gap = ts - last;
    if (gap < MIN_GAP_US) return;
    const x = gap < MAX_GAP_US ? Math.log(gap) : 0;
    const prev = a.gapMean[slot];
    if (x > 0 && prev > 0) {
      const d = Math.abs(x - prev);
      a.gapVar[slot] += JITTER_ALPHA * (d - a.gapVar[slot]);
      a.gapN[slot] = d < BEAT_SD ? a.gapN[slot] + 1 : 0;
    } else {
      a.gapVar[slot] = BEAT_SD;
      a.gapN[slot] = 0;
    }
    a.gapMean[slot] = x;
  }
  a.lastOpen[slot] = ts;
}

/**
 * Regular connections per minute to the peer: log1p(opens per minute) scaled by how regular they
 * are (1 for a perfect period, 0 from BEAT_SD of jitter on); 0 before BEAT_MIN_GAPS regular
 * intervals in a row, or when the last open is long past (the beat stopped).
 */
export function peerBeat(a: PeerActivity, slot: number, ts: number): number {
  if (a.gapN[slot] < BEAT_MIN_GAPS) return 0;
  const period = Math.exp(a.gapMean[slot]);
  if (ts - a.lastOpen[slot] > 2 * period) return 0;
  const sd = a.gapVar[slot];
  if (sd >= BEAT_SD) return 0;
  return Math.log1p(60_000_000 / period) * (1 - sd / BEAT_SD);
}
