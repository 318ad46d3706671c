/**
 * Buffers keyed records per topic and sends them through one producer in the background, a batch
 * at a time (sends are serialized, which keeps per-key order). A failed send is kept and rethrown
 * by the next `flush`, so the caller decides whether to fail (a worker replays from its checkpoint).
 */
import type { KafkaProducer, OutgoingRecord } from './kafka-client';

export class BatchingSender {
  private pending = new Map<string, OutgoingRecord[]>();
  private pendingCount = 0;
  private sending: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  /** Records acknowledged by the broker. */
  sent = 0;

  constructor(private readonly producer: KafkaProducer, private readonly maxBatch: number) {}

  add(topic: string, record: OutgoingRecord): void {
    let list = this.pending.get(topic);
    if (list === undefined) {
      list = [];
      this.pending.set(topic, list);
    }
    list.push(record);
    if (++this.pendingCount >= this.maxBatch) this.startSend();
  }

  /** Resolves when everything added so far is acknowledged; rethrows a failed send. */
  async flush(): Promise<void> {
    this.startSend();
    await this.sending;
    if (this.failure !== null) {
      const f = this.failure;
      this.failure = null;
      throw f;
    }
  }

  private startSend(): void {
    if (this.pendingCount === 0) return;
    const batches = [...this.pending.entries()].map(([topic, records]) => ({ topic, records }));
    const n = this.pendingCount;
    this.pending = new Map();
    this.pendingCount = 0;
    this.sending = this.sending.then(async () => {
      try {
        await this.producer.send(batches);
        this.sent += n;
      } catch (e) {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      }
    });
  }
}
