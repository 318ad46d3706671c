/**
 * StreamSink onto Kafka topics: each stream (`anomalies`, `mitigations`, `forensics`,
 * `predictions`) is Avro-encoded with its topic codec when written (so the caller may reuse the
 * value) and sent in batches by an idempotent producer, keyed by vmId.
 */
import { createTopicCodec, isTopicName, type TopicName } from '../../schemas';
import type { RecordCodec } from '../../schemas/codec';
import type { KafkaClient, KafkaProducer } from '../../sources/kafka/kafka-client';
import { BatchingSender } from '../../sources/kafka/batching-sender';
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
  private readonly sender: BatchingSender;
  private readonly ignored: Record<string, number> = {};

  constructor(client: KafkaClient, private readonly options: KafkaStreamSinkOptions = {}) {
    this.producer = client.producer({ idempotent: true });
    this.sender = new BatchingSender(this.producer, options.maxBatch ?? 500);
  }

  /** Connects the producer; call before the first write. Throws KafkaConnectionError. */
  connect(): Promise<void> {
    return this.producer.connect();
  }

  write(stream: string, key: string, value: unknown): void {
    const c = this.codecFor(stream);
    if (c === null) {
      this.ignored[stream] = (this.ignored[stream] ?? 0) + 1;
      return;
    }
    this.sender.add(c.topic, { key, value: c.codec.encode(value) });
  }

  /** Resolves when everything written so far is acknowledged; rethrows a failed send. */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.producer.disconnect();
    }
  }

  stats(): KafkaStreamSinkStats {
    return { sent: this.sender.sent, ignored: { ...this.ignored } };
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
