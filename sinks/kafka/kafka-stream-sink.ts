/**
 * StreamSink onto Kafka topics: each stream (`anomalies`, `mitigations`, `forensics`,
 * `predictions`) is Avro-encoded with its topic codec when written (so the caller may reuse the
 * value) and sent in batches by an idempotent producer, keyed by vmId.
 */
import { createTopicCodec, isTopicName, type TopicName } from '../../schemas';
import type { RecordCodec } from '../../schemas/codec';
import type { KafkaClient, KafkaProducer, OutgoingRecord } from '../../sources/kafka/kafka-client';
import type { StreamSink } from '../stream-sink';

export interface KafkaStreamSinkOptions {
  /**
   * Kafka topic per stream (e.g. { anomalies: 'eu-west-1.anomalies' }); default: the stream's name.
   * A stream's record schema is always that of the topic it is named after (schemas/topics.ts).
   */
  topics?: Partial<Record<TopicName, string>>;
  /** Records buffered before a send starts in the background (default 500). */
  maxBatch?: number;
}

export interface KafkaStreamSinkStats {
  sent: number;
  /** Writes to a stream that maps to no topic, by stream (not sent). */
  ignored: Record<string, number>;
}

export class KafkaStreamSink implements StreamSink {
  private readonly producer: KafkaProducer;
  private readonly codecs = new Map<string, { topic: string; codec: RecordCodec<unknown> }>();
  private pending = new Map<string, OutgoingRecord[]>();
  private pendingCount = 0;
  private readonly maxBatch: number;
  /** The background send in flight, if any; sends are serialized to keep per-key order. */
  private sending: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private readonly counters: KafkaStreamSinkStats = { sent: 0, ignored: {} };

  constructor(client: KafkaClient, private readonly options: KafkaStreamSinkOptions = {}) {
    this.producer = client.producer({ idempotent: true });
    this.maxBatch = options.maxBatch ?? 500;
  }

  /** Connects the producer; call before the first write. Throws KafkaConnectionError. */
  connect(): Promise<void> {
    return this.producer.connect();
  }

  write(stream: string, key: string, value: unknown): void {
    const c = this.codecFor(stream);
    if (c === null) {
      this.counters.ignored[stream] = (this.counters.ignored[stream] ?? 0) + 1;
      return;
    }
    const bytes = c.codec.encode(value);
    let list = this.pending.get(c.topic);
    if (list === undefined) {
      list = [];
      this.pending.set(c.topic, list);
    }
    list.push({ key, value: bytes });
    if (++this.pendingCount >= this.maxBatch) this.startSend();
  }

  /** Resolves when everything written so far is acknowledged; rethrows a failed send. */
  async flush(): Promise<void> {
    this.startSend();
    await this.sending;
    if (this.failure !== null) {
      const f = this.failure;
      this.failure = null;
      throw f;
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.producer.disconnect();
    }
  }

  stats(): KafkaStreamSinkStats {
    return { sent: this.counters.sent, ignored: { ...this.counters.ignored } };
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
        this.counters.sent += n;
      } catch (e) {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      }
    });
  }

  private codecFor(stream: string): { topic: string; codec: RecordCodec<unknown> } | null {
    let c = this.codecs.get(stream);
    if (c !== undefined) return c;
    if (!isTopicName(stream)) return null;
    c = { topic: this.options.topics?.[stream] ?? stream, codec: createTopicCodec(stream) as RecordCodec<unknown> };
    this.codecs.set(stream, c);
    return c;
  }
}
