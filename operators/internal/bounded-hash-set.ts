/**
 * A bounded set of 32-bit hashes with last-seen times, stored in two plain number arrays inside a
 * keyed-state object (so it checkpoints as JSON). Open addressing with a short probe; when the probe
 * finds no free slot the least recently seen entry among the probed slots is evicted, so memory stays
 * fixed and what is forgotten first is what was seen longest ago.
 */

export interface BoundedHashSet {
  /** Capacity (power of two). */
  cap: number;
  /** Slot -> hash, 0 = empty. */
  keys: number[];
  /** Slot -> last-seen event time (µs). */
  seen: number[];
  /** Slot -> a time the owner attaches to the entry when it is inserted (first contact), or -1. */
  born: number[];
  /** Occupied slots. */
  size: number;
}

const MAX_PROBE = 8;

export function newBoundedHashSet(capacity: number): BoundedHashSet {
  let cap = 16;
  while (cap < capacity) cap <<= 1;
  return { cap, keys: new Array<number>(cap).fill(0), seen: new Array<number>(cap).fill(0), born: new Array<number>(cap).fill(-1), size: 0 };
}

/** Slot of `hash` or -1. */
export function hashSetFind(set: BoundedHashSet, hash: number): number {
  const mask = set.cap - 1;
  let slot = hash & mask;
  for (let i = 0; i < MAX_PROBE; i++) {
    const k = set.keys[slot];
    if (k === hash) return slot;
    if (k === 0) return -1;
    slot = (slot + 1) & mask;
  }
  return -1;
}

/**
 * Records `hash` as seen at `tsUs`. Returns true when it was not in the set (new), false when known.
 * `hash` must not be 0.
 */
export function hashSetTouch(set: BoundedHashSet, hash: number, tsUs: number): boolean {
  return hashSetTouchSlot(set, hash, tsUs, -1) < 0;
}

/**
 * Like hashSetTouch, returning the slot: `slot` when the hash was known, `-(slot + 1)` when it was
 * inserted now (with `born` set to `bornUs`). A number, not an object: this runs per packet.
 */
export function hashSetTouchSlot(set: BoundedHashSet, hash: number, tsUs: number, bornUs: number): number {
  const mask = set.cap - 1;
  let slot = hash & mask;
  let oldest = -1;
  let oldestTs = Infinity;
  for (let i = 0; i < MAX_PROBE; i++) {
    const k = set.keys[slot];
    if (k === hash) {
      if (tsUs > set.seen[slot]) set.seen[slot] = tsUs;
      return slot;
    }
    if (k === 0) {
      set.keys[slot] = hash;
      set.seen[slot] = tsUs;
      set.born[slot] = bornUs;
      set.size++;
      return -(slot + 1);
    }
    if (set.seen[slot] < oldestTs) {
      oldestTs = set.seen[slot];
      oldest = slot;
    }
    slot = (slot + 1) & mask;
  }
  set.keys[oldest] = hash;
  set.seen[oldest] = tsUs;
  set.born[oldest] = bornUs;
  return -(oldest + 1);
}

/** A copy (for a broadcast table entry, which is never mutated once put). */
export function cloneHashSet(set: BoundedHashSet): BoundedHashSet {
  return { cap: set.cap, keys: set.keys.slice(), seen: set.seen.slice(), born: set.born.slice(), size: set.size };
}
