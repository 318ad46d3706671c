/** A slot: one independent activity (a VM's client sessions, a heartbeat, an attack) with its own PRNG. */
import type { Prng } from './prng';
import { Leg, Script } from './script';

export interface Planner {
  /**
   * Adds the slot's next steps to `slot.script` (emitted steps already dropped), none earlier than
   * `nowUs`. Returns false when the slot has nothing more to send.
   */
  plan(slot: Slot, nowUs: number): boolean;
}

export class Slot {
  readonly script = new Script();
  readonly legs: Leg[] = [];
  /** Time of the next step; the heap orders slots by it (then by id). */
  nextUs = 0;
  /**
   * A chunked planner (a scan, a flood) sets this to where its next chunk starts: it is asked for
   * more once the next pending step is that late, so later probes interleave with earlier replies.
   */
  refillAtUs = Infinity;
  /** Set once the planner said it has nothing more; the pending steps still go out. */
  finished = false;

  constructor(
    readonly id: number,
    readonly prng: Prng,
    readonly planner: Planner,
    /** Steps after this time are never emitted (run end, or the attack's window end). */
    readonly endUs: number,
    /** Index of the attack this slot plays, or -1 for normal traffic. */
    readonly attack: number,
  ) {}

  leg(i: number): Leg {
    while (this.legs.length <= i) this.legs.push(new Leg());
    return this.legs[i];
  }
}

/** Binary min-heap of slots by (nextUs, id): the id breaks ties so the merge order is deterministic. */
export class SlotHeap {
  private readonly items: Slot[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): Slot {
    return this.items[0];
  }

  push(s: Slot): void {
    const a = this.items;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(s, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = s;
  }

  /** Restores order after the top's nextUs grew. */
  siftTop(): void {
    const a = this.items;
    const n = a.length;
    const s = a[0];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && less(a[c + 1], a[c])) c++;
      if (!less(a[c], s)) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = s;
  }

  popTop(): void {
    const a = this.items;
    const last = a.pop() as Slot;
    if (a.length > 0) {
      a[0] = last;
      this.siftTop();
    }
  }
}

function less(x: Slot, y: Slot): boolean {
  return x.nextUs < y.nextUs || (x.nextUs === y.nextUs && x.id < y.id);
}
