/**
 * Timers of one operator in one task and one time domain: a binary min-heap on (time, order of
 * registration); deletes are lazy (marked, skipped when popped). De-duplication looks through
 * the key's few live timers, with no string built per call: operators re-register the same
 * window-end timer for every packet.
 */
import type { TimeDomain, Timer } from '../../operators/contract';

export interface TimerEntry extends Timer {
  readonly seq: number;
  cancelled: boolean;
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.seq < b.seq);
}

export class TimerQueue {
  private readonly heap: TimerEntry[] = [];
  private readonly live = new Map<string, TimerEntry[]>();
  private liveCount = 0;
  private seq = 0;

  constructor(readonly domain: TimeDomain) {}

  /** Live (registered, not fired, not deleted) timers. */
  get size(): number {
    return this.liveCount;
  }

  register(key: string, timeUs: number, tag: string): void {
    if (Number.isNaN(timeUs)) throw new RangeError(`timer time is NaN (key '${key}', tag '${tag}')`);
    let list = this.live.get(key);
    if (list === undefined) {
      list = [];
      this.live.set(key, list);
    } else {
      for (let i = 0; i < list.length; i++) if (list[i].timeUs === timeUs && list[i].tag === tag) return;
    }
    const e: TimerEntry = { key, timeUs, domain: this.domain, tag, seq: this.seq++, cancelled: false };
    list.push(e);
    this.liveCount++;
    this.push(e);
  }

  delete(key: string, timeUs: number, tag: string): void {
    const list = this.live.get(key);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.timeUs === timeUs && e.tag === tag) {
        e.cancelled = true;
        this.unlink(list, i, key);
        return;
      }
    }
  }

  private unlink(list: TimerEntry[], i: number, key: string): void {
    list[i] = list[list.length - 1];
    list.pop();
    if (list.length === 0) this.live.delete(key);
    this.liveCount--;
  }

  /** Live timers in registration order (for checkpoints: re-registering them keeps tie order). */
  entries(): Timer[] {
    const out: Timer[] = [];
    for (const list of this.live.values()) for (const e of list) out.push(e);
    out.sort((a, b) => (a as TimerEntry).seq - (b as TimerEntry).seq);
    return out;
  }

  /** Time of the earliest live timer, or +Infinity. */
  peekTimeUs(): number {
    this.dropCancelled();
    return this.heap.length === 0 ? Infinity : this.heap[0].timeUs;
  }

  /** Removes and returns the earliest live timer if it is due at `timeUs` (time <= timeUs). */
  pollDue(timeUs: number): TimerEntry | undefined {
    this.dropCancelled();
    if (this.heap.length === 0 || this.heap[0].timeUs > timeUs) return undefined;
    const e = this.pop();
    const list = this.live.get(e.key) as TimerEntry[];
    this.unlink(list, list.indexOf(e), e.key);
    return e;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private push(e: TimerEntry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  private pop(): TimerEntry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as TimerEntry;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
