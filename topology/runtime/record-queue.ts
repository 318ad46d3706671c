/**
 * FIFO of (key, value, event time) in three parallel ring arrays: no object per record. Used for
 * the partitions of the embedded log (growing) and for task mailboxes (bounded).
 */
export class RecordQueue<V = unknown> {
  private keys: string[];
  private values: (V | undefined)[];
  private ts: Float64Array;
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.keys = new Array<string>(cap).fill('');
    this.values = new Array<V | undefined>(cap).fill(undefined);
    this.ts = new Float64Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  push(key: string, value: V, tsUs: number): void {
    if (this.count > this.mask) this.grow();
    const i = (this.head + this.count) & this.mask;
    this.keys[i] = key;
    this.values[i] = value;
    this.ts[i] = tsUs;
    this.count++;
  }

  /** Moves up to `max` records, oldest first, into the arrays from index 0; returns how many. */
  drainInto(max: number, keys: string[], values: unknown[], ts: Float64Array | number[]): number {
    const n = max < this.count ? max : this.count;
    const mask = this.mask;
    let h = this.head;
    for (let j = 0; j < n; j++) {
      keys[j] = this.keys[h];
      values[j] = this.values[h];
      ts[j] = this.ts[h];
      this.values[h] = undefined; // let the record be collected once processed
      h = (h + 1) & mask;
    }
    this.head = h;
    this.count -= n;
    return n;
  }

  /** Moves up to `max` records into `to`, oldest first; returns how many. */
  moveTo(to: RecordQueue<V>, max: number): number {
    const n = max < this.count ? max : this.count;
    const mask = this.mask;
    let h = this.head;
    for (let j = 0; j < n; j++) {
      to.push(this.keys[h], this.values[h] as V, this.ts[h]);
      this.values[h] = undefined;
      h = (h + 1) & mask;
    }
    this.head = h;
    this.count -= n;
    return n;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const keys = new Array<string>(cap).fill('');
    const values = new Array<V | undefined>(cap).fill(undefined);
    const ts = new Float64Array(cap);
    for (let j = 0; j < this.count; j++) {
      const i = (this.head + j) & this.mask;
      keys[j] = this.keys[i];
      values[j] = this.values[i];
      ts[j] = this.ts[i];
    }
    this.keys = keys;
    this.values = values;
    this.ts = ts;
    this.head = 0;
    this.mask = cap - 1;
  }
}

/** A task's bounded inbox of records. `offer` refuses when full; nothing is dropped, the caller waits. */
export class Mailbox<V = unknown> {
  readonly queue: RecordQueue<V>;
  /** Most records it ever held at once. */
  highWater = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`mailbox capacity must be a positive integer, got ${capacity}`);
    this.queue = new RecordQueue<V>(capacity);
  }

  get size(): number {
    return this.queue.size;
  }

  get free(): number {
    return this.capacity - this.queue.size;
  }

  offer(key: string, value: V, tsUs: number): boolean {
    if (this.queue.size >= this.capacity) return false;
    this.queue.push(key, value, tsUs);
    if (this.queue.size > this.highWater) this.highWater = this.queue.size;
    return true;
  }

  /** Fills the mailbox from `from` up to capacity; returns how many moved. */
  fillFrom(from: RecordQueue<V>): number {
    const n = from.moveTo(this.queue, this.free);
    if (this.queue.size > this.highWater) this.highWater = this.queue.size;
    return n;
  }

  drainInto(max: number, keys: string[], values: unknown[], ts: Float64Array | number[]): number {
    return this.queue.drainInto(max, keys, values, ts);
  }
}
