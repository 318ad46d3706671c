/**
 * Repartition channels in distributed mode: `ctx.repartition(name).send(key, v)` goes to the keyed
 * topic `<topology>-<name>-repartition` (JSON, with typed arrays/Maps kept by the state value
 * codec). EVERY worker reads every such topic from the beginning, with a group of its own, into a
 * per-worker "scope task" (the same chain, memory state) whose `onRepartitioned` folds the values
 * and fills the worker's broadcast tables. So scope profiles (baseline's account/vnet) are built
 * from all workers' updates, and rebuilt from the topic after a restart instead of checkpointed.
 * The guarantee is at-least-once: a partition replayed after a crash re-sends its updates.
 */
import { randomBytes } from 'node:crypto';
import type { KafkaClient, KafkaConsumer, KafkaProducer } from '../../sources/kafka/kafka-client';
import { BatchingSender } from '../../sources/kafka/batching-sender';
import { decodeStateValue, encodeStateValue } from '../../state/redis-value-codec';
import type { RepartitionRouter } from '../runtime/routing';

/** The Kafka topic of a repartition channel. */
export function repartitionTopic(topologyName: string, channel: string): string {
  return `${topologyName}-${channel}-repartition`;
}

export interface KafkaRepartitionOptions {
  topologyName: string;
  /** Partitions of each repartition topic created (default: the topology's partition count). */
  partitions: number;
  /** How long the topics keep updates (they are replayed at every worker start). Default 1 h. */
  retentionMs?: number;
  /** Records buffered before a send starts in the background (default 500). */
  maxBatch?: number;
  /** Where consumed values go: the worker's scope task. */
  deliver(operatorIndex: number, name: string, key: string, value: unknown): void;
  onError(err: Error): void;
}

interface WireValue {
  /** Operator index in the chain. */
  o: number;
  /** Channel name. */
  n: string;
  v: unknown;
}

export class KafkaRepartitionRouter implements RepartitionRouter {
  /** Channel name -> topic, for every channel an operator declared. */
  readonly channels = new Map<string, string>();
  private readonly producer: KafkaProducer;
  private consumer: KafkaConsumer | null = null;
  private readonly sender: BatchingSender;
  received = 0;

  constructor(private readonly client: KafkaClient, private readonly options: KafkaRepartitionOptions) {
    this.producer = client.producer({ idempotent: true });
    this.sender = new BatchingSender(this.producer, options.maxBatch ?? 500);
  }

  /** Updates acknowledged by the broker. */
  get sent(): number {
    return this.sender.sent;
  }

  declare(_operatorIndex: number, name: string): void {
    if (!this.channels.has(name)) this.channels.set(name, repartitionTopic(this.options.topologyName, name));
  }

  /** Encodes now (the sender may reuse `value`), sends in the background in batches. */
  send(_from: number, operatorIndex: number, name: string, key: string, value: unknown): void {
    let topic = this.channels.get(name);
    if (topic === undefined) {
      this.declare(operatorIndex, name);
      topic = this.channels.get(name) as string;
    }
    const wire: WireValue = { o: operatorIndex, n: name, v: value };
    this.sender.add(topic, { key, value: Buffer.from(encodeStateValue(wire)) });
  }

  /**
   * Creates the declared channels' topics, connects the producer, and starts reading every
   * channel topic from the beginning with a consumer group of this worker alone.
   */
  async start(groupPrefix: string): Promise<void> {
    await this.producer.connect();
    const topics = [...new Set(this.channels.values())];
    if (topics.length === 0) return;
    const admin = this.client.admin();
    await admin.connect();
    try {
      await admin.createTopics(topics.map((topic) => ({
        topic,
        partitions: this.options.partitions,
        config: { 'retention.ms': String(this.options.retentionMs ?? 3_600_000) },
      })));
    } finally {
      await admin.disconnect();
    }
    const consumer = this.client.consumer({ groupId: `${groupPrefix}-scopes-${randomBytes(4).toString('hex')}`, startFrom: 'earliest' });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe(topics);
    await consumer.run({
      eachBatch: async (b) => {
        for (const r of b.records) {
          if (r.value === null || r.key === null) continue;
          let wire: WireValue;
          try {
            wire = decodeStateValue(r.value.toString('utf8')) as WireValue;
          } catch (e) {
            this.options.onError(new Error(`undecodable repartition record ${r.topic}/${r.partition}@${r.offset}: ${(e as Error).message}`));
            continue;
          }
          this.received++;
          this.options.deliver(wire.o, wire.n, r.key.toString('utf8'), wire.v);
        }
      },
      onCrash: (e) => this.options.onError(e),
    });
  }

  /** Resolves when everything sent so far is acknowledged; rethrows a failed send. */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  /** `flush: false` on a simulated crash: what was not sent is lost, as in a killed process. */
  async close(flush = true): Promise<void> {
    try {
      if (flush) await this.flush();
    } finally {
      await this.consumer?.disconnect().catch(() => undefined);
      await this.producer.disconnect().catch(() => undefined);
    }
  }
}
