/**
 * Buffers keyed records per topic and sends them through one producer in the background: one
 * send on the wire at a time (keeps per-key order; kafkajs's idempotent producer needs it), and
 * while it is there the caller fills the next batch, which goes out as soon as the wire is free
 * with everything that accumulated (pipelining: encoding overlaps the broker round trip, and a
 * slow broker gets bigger batches rather than a queue of small ones). `ready()` is the
 * backpressure for a caller faster than the broker, `sendNow()` pushes a partial batch out (paced
 * producers). A failed send is kept and rethrown by the next `flush` or `ready`, so the caller
 * decides whether to fail (a worker replays from its checkpoint).
 */
import type { KafkaProducer, OutgoingRecord } from './kafka-client';

/**
 * Bytes of records in one send (keys, values, headers, ~64 B framing each): a partition's batch
 * must stay under the broker's message.max.bytes (1 MiB by default). A count bound alone let a
 * burst of large records (forensics after a stall) exceed it: MESSAGE_TOO_LARGE failed the worker.
 */
export const DEFAULT_MAX_SEND_BYTES = 768 * 1024;
const RECORD_OVERHEAD_BYTES = 64;

function recordBytes(r: OutgoingRecord): number {
  let n = r.value.length + RECORD_OVERHEAD_BYTES;
  if (r.key !== null) n += typeof r.key === 'string' ? Buffer.byteLength(r.key) : r.key.length;
  if (r.headers !== undefined) {
    for (const k in r.headers) {
      const v = r.headers[k];
      n += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : v.length);
    }
  }
  return n;
}

interface Waiter {
  /** Resolve once this many records (counted from the first add) are settled. */
  settled: number;
  resolve(): void;
}

export class BatchingSender {
  private pending = new Map<string, OutgoingRecord[]>();
  private pendingCount = 0;
  /** Records ever added / taken into sends / whose send settled (acknowledged or failed). */
  private added = 0;
  private taken = 0;
  private settled = 0;
  /** Buffered records up to this count go out even as a partial batch (flush, sendNow). */
  private wanted = 0;
  private running: Promise<void> | null = null;
  private waiters: Waiter[] = [];
  private failure: Error | null = null;
  /** Records acknowledged by the broker. */
  sent = 0;
  /** Produce requests made. */
  sends = 0;

  /**
   * `maxBatch`: a send starts once this many records are buffered (and the wire is free).
   * `maxUnacked`: `ready()` waits while more records than this are added and not yet
   * acknowledged (default 2 x maxBatch: one batch on the wire, the next one filling).
   * `maxSendBytes`: bytes of records one send carries at most (a bigger single record goes alone).
   */
  constructor(
    private readonly producer: KafkaProducer,
    private readonly maxBatch: number,
    private readonly maxUnacked = maxBatch * 2,
    private readonly maxSendBytes = DEFAULT_MAX_SEND_BYTES,
  ) {}

  add(topic: string, record: OutgoingRecord): void {
    let list = this.pending.get(topic);
    if (list === undefined) {
      list = [];
      this.pending.set(topic, list);
    }
    list.push(record);
    this.added++;
    if (++this.pendingCount >= this.maxBatch) this.kick();
  }

  /** Records added and not yet acknowledged (buffered or being sent). */
  get backlog(): number {
    return this.added - this.settled;
  }

  /** True when the caller should `await ready()` before adding more. */
  get saturated(): boolean {
    return this.added - this.settled > this.maxUnacked;
  }

  /** Sends what is buffered as soon as the wire is free, without waiting for a full batch. */
  sendNow(): void {
    this.wanted = this.added;
    this.kick();
  }

  /** Resolves once at most `maxUnacked` records are unacknowledged; rethrows a failed send. */
  async ready(): Promise<void> {
    if (this.added - this.settled > this.maxUnacked) await this.until(this.added - this.maxUnacked);
    this.rethrow();
  }

  /** Resolves when everything added so far is acknowledged; rethrows a failed send. */
  async flush(): Promise<void> {
    this.sendNow();
    await this.until(this.added);
    this.rethrow();
  }

  private until(settled: number): Promise<void> {
    if (this.settled >= settled) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push({ settled, resolve }));
  }

  private rethrow(): void {
    if (this.failure !== null) {
      const f = this.failure;
      this.failure = null;
      throw f;
    }
  }

  private kick(): void {
    if (this.running === null && this.pendingCount > 0) this.running = this.drain();
  }

  /**
   * Everything buffered, up to 4 x maxBatch records and maxSendBytes bytes (a request must stay
   * under the broker's message size limit however long the previous one took); per topic in add
   * order. The first record always goes, so one larger than the bound is sent alone.
   */
  private take(): { batches: Array<{ topic: string; records: OutgoingRecord[] }>; n: number } {
    let budget = this.maxBatch * 4;
    let bytes = 0;
    const batches: Array<{ topic: string; records: OutgoingRecord[] }> = [];
    for (const [topic, list] of this.pending) {
      let k = 0;
      while (k < list.length && k < budget) {
        const size = recordBytes(list[k]);
        if (bytes > 0 && bytes + size > this.maxSendBytes) break;
        bytes += size;
        k++;
      }
      if (k === 0) break;
      budget -= k;
      if (k < list.length) {
        // Bound reached inside this topic: the rest waits for the next send.
        batches.push({ topic, records: list.splice(0, k) });
        break;
      }
      batches.push({ topic, records: list });
      this.pending.delete(topic);
      if (budget === 0) break;
    }
    const n = this.maxBatch * 4 - budget;
    this.pendingCount -= n;
    return { batches, n };
  }

  /** The one sender loop: takes everything buffered per round while there is a reason to send. */
  private async drain(): Promise<void> {
    while (this.pendingCount > 0 && (this.pendingCount >= this.maxBatch || this.taken < this.wanted)) {
      const { batches, n } = this.take();
      this.taken += n;
      try {
        this.sends++;
        await this.producer.send(batches);
        this.sent += n;
      } catch (e) {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      }
      this.settled += n;
      if (this.waiters.length > 0) {
        const due = this.waiters.filter((w) => w.settled <= this.settled);
        this.waiters = this.waiters.filter((w) => w.settled > this.settled);
        for (const w of due) w.resolve();
      }
    }
    this.running = null;
  }
}
