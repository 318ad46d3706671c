/**
 * The project's own Kafka client interface: only what Prescient uses (topics, an idempotent keyed
 * producer, a consumer group with batches, pause/resume, explicit commits, assignment callbacks).
 * kafkajs implements it today (kafkajs-client.ts); another client (@platformatic/kafka) can later.
 */
import type { KafkaSecurity } from './kafka-security';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Default 1 (local single broker). */
  replicationFactor?: number;
  /** Topic configs, e.g. { 'retention.ms': '3600000' }. */
  config?: Record<string, string>;
}

export interface OutgoingRecord {
  /** Null only for unkeyed records; Prescient keys every record by vmId. */
  key: string | Buffer | null;
  value: Buffer;
  /** Explicit partition; default: the client's murmur2 partitioner on the key. */
  partition?: number;
  headers?: Record<string, string | Buffer>;
}

export interface IncomingRecord {
  topic: string;
  partition: number;
  /** Decimal string: Kafka offsets are int64. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestampMs: number;
  headers: Record<string, Buffer | undefined>;
}

export interface IncomingBatch {
  topic: string;
  partition: number;
  /** Records in offset order; records below a seek() floor are already dropped. */
  records: IncomingRecord[];
  /** Partition's high watermark when fetched (lag = highWatermark - next offset). */
  highWatermark: string;
}

export interface ProducerOptions {
  /** Default true: broker dedupes retries, so a retried send never writes twice. */
  idempotent?: boolean;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  /** Sends records, grouped by topic, in one request per broker; resolves once acknowledged. */
  send(batches: ReadonlyArray<{ topic: string; records: OutgoingRecord[] }>): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  /** Where a partition with no committed offset starts: default 'earliest'. */
  startFrom?: 'earliest' | 'latest';
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Upper bound of bytes fetched per partition per request. */
  maxBytesPerPartition?: number;
  /**
   * Longest a fetch waits on the broker for data (default 500 ms). Data that is there returns at
   * once; this bounds how long disconnect() waits for an idle long poll.
   */
  maxWaitMs?: number;
  /** Batches of different partitions handled at once (default 1). */
  partitionsConsumedConcurrently?: number;
}

export interface ConsumerHandlers {
  /** One partition's batch. Offsets are committed only by commit(), never automatically. */
  eachBatch(batch: IncomingBatch): Promise<void>;
  /**
   * Partitions newly assigned to this member. Batches of these partitions are held back until the
   * returned promise settles, so a task can restore its state and seek() first.
   */
  onAssign?(partitions: TopicPartition[]): Promise<void> | void;
  /** Partitions this member lost in a rebalance (or all of them on disconnect). */
  onRevoke?(partitions: TopicPartition[]): Promise<void> | void;
  /** The consumer stopped for good on an error it could not retry. */
  onCrash?(error: Error): void;
}

export interface KafkaConsumer {
  connect(): Promise<void>;
  subscribe(topics: string[]): Promise<void>;
  /** Starts consuming; resolves once the consumer loop runs (not when it ends). */
  run(handlers: ConsumerHandlers): Promise<void>;
  /** Stops fetching these partitions (backpressure); nothing is lost, fetching resumes later. */
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  paused(): TopicPartition[];
  /** Next offset to read from, per partition; commit only what a checkpoint covers. */
  commit(offsets: ReadonlyArray<TopicPartition & { offset: string }>): Promise<void>;
  /** Continue this partition at `offset`; records below it still in flight are dropped. */
  seek(partition: TopicPartition & { offset: string }): void;
  /** Partitions currently assigned to this member. */
  assignment(): TopicPartition[];
  disconnect(): Promise<void>;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  /** Creates the missing topics; returns the names it created (existing ones are left alone). */
  createTopics(specs: TopicSpec[]): Promise<string[]>;
  listTopics(): Promise<string[]>;
  /** Partition count of an existing topic. */
  partitionCount(topic: string): Promise<number>;
  /** Committed next-offsets of a group for one topic, by partition ('-1' = none). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, string>>;
  deleteTopics(topics: string[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  readonly brokers: readonly string[];
  admin(): KafkaAdmin;
  producer(options?: ProducerOptions): KafkaProducer;
  consumer(options: ConsumerOptions): KafkaConsumer;
}

export interface KafkaClientConfig {
  brokers: string[];
  clientId: string;
  /** TCP connect timeout per broker, default 3000 ms. */
  connectTimeoutMs?: number;
  /** Per-request timeout, default 30000 ms. */
  requestTimeoutMs?: number;
  /**
   * Bound on connect() and admin calls, retries included (default 15000 ms): an unreachable
   * broker yields KafkaConnectionError within this time instead of retrying for minutes.
   */
  operationTimeoutMs?: number;
  /** Retries of a failed request or connection (default 5, backoff 100 ms doubling to 1 s). */
  retries?: number;
  /** kafkajs log level name; default 'error'. */
  logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  /** TLS and SASL (kafka-security.ts resolveKafkaSecurity); default plaintext, no auth. */
  security?: KafkaSecurity;
}

/** `KAFKA_BROKERS=host:port,host:port` as a broker list. */
export function parseBrokers(list: string): string[] {
  const brokers = list.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  for (const b of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) throw new RangeError(`broker '${b}' is not host:port (in '${list}')`);
  }
  if (brokers.length === 0) throw new RangeError(`no broker in '${list}'`);
  return brokers;
}
