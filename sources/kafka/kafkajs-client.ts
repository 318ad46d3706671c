/**
 * KafkaClient on kafkajs 2.2.4 (tested against Kafka 4.1.1 in KRaft mode, see deploy/local/).
 * Everything kafkajs-specific stays in this file so the client can be swapped.
 */
import { Kafka, logLevel as LogLevel, Partitioners, type Admin, type LogEntry, type Consumer, type Producer, type EachBatchPayload, type SASLOptions } from 'kafkajs';
import type {
  ConsumerHandlers,
  ConsumerOptions,
  IncomingRecord,
  KafkaAdmin,
  KafkaClient,
  KafkaClientConfig,
  KafkaConsumer,
  KafkaProducer,
  OutgoingRecord,
  ProducerOptions,
  TopicPartition,
  TopicSpec,
} from './kafka-client';
import { KafkaConnectionError, KafkaOperationError } from './kafka-errors';
import { kafkajsSecurityOptions } from './kafka-security';

const LEVELS = { nothing: LogLevel.NOTHING, error: LogLevel.ERROR, warn: LogLevel.WARN, info: LogLevel.INFO, debug: LogLevel.DEBUG };

/** Errors kafkajs raises when no broker answered (as opposed to a broker refusing a request). */
const CONNECTION_ERRORS = /Connection|NumberOfRetriesExceeded|BrokerNotFound|NoBrokerAvailable|RequestTimeout|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH/;

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { originalError?: unknown }).originalError;
  return cause instanceof Error && cause.message !== e.message ? `${e.name}: ${e.message} (${cause.message})` : `${e.name}: ${e.message}`;
}

/**
 * Transient states kafkajs logs as errors though it retries them itself (rebalances, startup),
 * and its per-retry connection refusals: the bounded retry around them (connect-backoff.ts) logs
 * one line per attempt and one final error naming the brokers, which is what a reader needs.
 */
const BENIGN = /rebalancing|coordinator is loading|coordinator is not available|not the correct coordinator|leader is not available|Restarting the consumer|Connection error: connect ECONNREFUSED|Failed to connect to seed broker/i;

/** kafkajs log lines as one JSON line on stderr, minus the benign noise above. */
function quietLogCreator(): (entry: LogEntry) => void {
  return ({ namespace, level, label, log }) => {
    const text = `${log.message} ${String((log as { error?: unknown }).error ?? '')}`;
    if (BENIGN.test(text)) return;
    process.stderr.write(`${JSON.stringify({ ...log, level: label, logger: `kafkajs${namespace ? `.${namespace}` : ''}`, lvl: level })}\n`);
  };
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class KafkajsClient implements KafkaClient {
  readonly brokers: readonly string[];
  private readonly kafka: Kafka;
  private readonly operationTimeoutMs: number;

  constructor(config: KafkaClientConfig) {
    this.brokers = [...config.brokers];
    this.operationTimeoutMs = config.operationTimeoutMs ?? 15000;
    const connectTimeout = config.connectTimeoutMs ?? 3000;
    const security = kafkajsSecurityOptions(config.security);
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      connectionTimeout: connectTimeout,
      requestTimeout: config.requestTimeoutMs ?? 30000,
      // Bounded backoff (about 3 s in all): an unreachable broker fails on its own before the deadline.
      retry: { retries: config.retries ?? 5, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: LEVELS[config.logLevel ?? 'error'],
      logCreator: quietLogCreator,
      // CA and client certificate are read here, so a missing file fails at start (KafkaConfigError).
      ssl: security.ssl,
      // kafkajs types SASL per mechanism as a union; the three we map are members of it.
      sasl: security.sasl as SASLOptions | undefined,
    });
  }

  /** Runs `fn` under the operation deadline, turning failures into the typed errors. */
  async bounded<T>(operation: string, fn: () => Promise<T>, onTimeout?: () => Promise<unknown>, topic?: string): Promise<T> {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (onTimeout) onTimeout().catch(() => undefined);
        reject(new KafkaConnectionError(this.brokers, operation, Date.now() - t0, `no answer within ${this.operationTimeoutMs} ms`));
      }, this.operationTimeoutMs);
    });
    try {
      return await Promise.race([fn(), deadline]);
    } catch (e) {
      if (e instanceof KafkaConnectionError || e instanceof KafkaOperationError) throw e;
      const detail = describe(e);
      if (CONNECTION_ERRORS.test(detail)) throw new KafkaConnectionError(this.brokers, operation, Date.now() - t0, detail);
      throw new KafkaOperationError(this.brokers, operation, detail, topic);
    } finally {
      clearTimeout(timer);
    }
  }

  admin(): KafkaAdmin {
    return new KafkajsAdmin(this, this.kafka.admin());
  }

  producer(options: ProducerOptions = {}): KafkaProducer {
    const idempotent = options.idempotent ?? true;
    // Idempotence in kafkajs needs one request in flight and unlimited retries (its default then).
    const producer = this.kafka.producer({
      idempotent,
      maxInFlightRequests: idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    return new KafkajsProducer(this, producer);
  }

  consumer(options: ConsumerOptions): KafkaConsumer {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 10000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 1000,
      maxBytesPerPartition: options.maxBytesPerPartition,
      maxWaitTimeInMs: options.maxWaitMs ?? 500,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    return new KafkajsConsumer(this, consumer, options);
  }
}

class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly client: KafkajsClient, private readonly admin: Admin) {}

  connect(): Promise<void> {
    return this.client.bounded('admin connect', () => this.admin.connect(), () => this.admin.disconnect());
  }

  async createTopics(specs: TopicSpec[]): Promise<string[]> {
    for (const s of specs) {
      if (!Number.isInteger(s.partitions) || s.partitions < 1) {
        throw new KafkaOperationError(this.client.brokers, 'createTopics', `partitions must be a positive integer, got ${s.partitions}`, s.topic);
      }
    }
    const existing = new Set(await this.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return [];
    await this.client.bounded('admin createTopics', () =>
      this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor ?? 1,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      }),
    );
    return missing.map((s) => s.topic);
  }

  listTopics(): Promise<string[]> {
    return this.client.bounded('admin listTopics', () => this.admin.listTopics());
  }

  async partitionCount(topic: string): Promise<number> {
    const md = await this.client.bounded('admin fetchTopicMetadata', () => this.admin.fetchTopicMetadata({ topics: [topic] }), undefined, topic);
    return md.topics[0].partitions.length;
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
    const res = await this.client.bounded('admin fetchOffsets', () => this.admin.fetchOffsets({ groupId, topics: [topic] }), undefined, topic);
    const out = new Map<number, string>();
    for (const t of res) for (const p of t.partitions) out.set(p.partition, p.offset);
    return out;
  }

  async deleteTopics(topics: string[]): Promise<void> {
    await this.client.bounded('admin deleteTopics', () => this.admin.deleteTopics({ topics }));
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }
}

class KafkajsProducer implements KafkaProducer {
  constructor(private readonly client: KafkajsClient, private readonly producer: Producer) {}

  connect(): Promise<void> {
    return this.client.bounded('producer connect', () => this.producer.connect(), () => this.producer.disconnect());
  }

  async send(batches: ReadonlyArray<{ topic: string; records: OutgoingRecord[] }>): Promise<void> {
    if (batches.length === 0) return;
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: batches.map((b) => ({ topic: b.topic, messages: b.records })),
      });
    } catch (e) {
      const detail = describe(e);
      if (CONNECTION_ERRORS.test(detail)) throw new KafkaConnectionError(this.client.brokers, 'producer send', 0, detail);
      throw new KafkaOperationError(this.client.brokers, 'producer send', detail, batches[0].topic);
    }
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

class KafkajsConsumer implements KafkaConsumer {
  private readonly assigned = new Map<string, TopicPartition>();
  /** Per partition: records below this offset are dropped (set by seek). */
  private readonly floors = new Map<string, bigint>();
  /** Settles when the latest rebalance's onRevoke/onAssign callbacks did; batches wait for it. */
  private gate: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private handlers: ConsumerHandlers | null = null;
  /** Partitions the caller paused (tp keys): reapplied when kafkajs rejoins after a restart. */
  private readonly wantPaused = new Map<string, TopicPartition>();

  constructor(private readonly client: KafkajsClient, private readonly consumer: Consumer, private readonly options: ConsumerOptions) {}

  connect(): Promise<void> {
    return this.client.bounded(`consumer connect (group ${this.options.groupId})`, () => this.consumer.connect(), () => this.consumer.disconnect());
  }

  async subscribe(topics: string[]): Promise<void> {
    await this.client.bounded('consumer subscribe', () =>
      this.consumer.subscribe({ topics, fromBeginning: (this.options.startFrom ?? 'earliest') === 'earliest' }),
    );
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment));
    // kafkajs restarts itself after retriable crashes (payload.restart); report only final ones.
    this.consumer.on(CRASH, (e) => {
      if (!e.payload.restart && handlers.onCrash) handlers.onCrash(e.payload.error);
    });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** kafkajs joins eagerly and reports the whole new assignment: diff it against the old one. */
  private onJoin(memberAssignment: Record<string, number[]>): void {
    const next = new Map<string, TopicPartition>();
    for (const [topic, partitions] of Object.entries(memberAssignment)) {
      for (const partition of partitions) next.set(tpKey(topic, partition), { topic, partition });
    }
    const revoked = [...this.assigned.entries()].filter(([k]) => !next.has(k)).map(([, tp]) => tp);
    const added = [...next.entries()].filter(([k]) => !this.assigned.has(k)).map(([, tp]) => tp);
    this.assigned.clear();
    for (const [k, tp] of next) this.assigned.set(k, tp);
    for (const tp of revoked) {
      this.floors.delete(tpKey(tp.topic, tp.partition));
      this.wantPaused.delete(tpKey(tp.topic, tp.partition));
    }
    // A pause asked for while kafkajs was restarting its group (or one it forgot on rejoin) holds.
    const keep = [...this.wantPaused.values()];
    if (keep.length > 0) this.tryConsumer(() => this.consumer.pause(groupByTopic(keep)));
    const h = this.handlers;
    const prev = this.gate;
    this.gate = (async () => {
      await prev;
      if (revoked.length > 0 && h?.onRevoke) await h.onRevoke(revoked);
      if (added.length > 0 && h?.onAssign) await h.onAssign(added);
    })();
    // A failing callback must not wedge later batches: surface it as a crash, keep the gate open.
    this.gate = this.gate.catch((e: unknown) => {
      if (h?.onCrash) h.onCrash(e instanceof Error ? e : new Error(String(e)));
    });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    this.inFlight++;
    try {
      await this.gate;
      const { batch } = payload;
      if (!payload.isRunning() || payload.isStale()) return;
      const key = tpKey(batch.topic, batch.partition);
      if (!this.assigned.has(key)) return;
      const floor = this.floors.get(key);
      const records: IncomingRecord[] = [];
      for (const m of batch.messages) {
        if (floor !== undefined && BigInt(m.offset) < floor) continue;
        records.push({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ?? null,
          value: m.value ?? null,
          timestampMs: Number(m.timestamp),
          headers: (m.headers ?? {}) as Record<string, Buffer | undefined>,
        });
      }
      if (records.length > 0 && this.handlers) {
        await this.handlers.eachBatch({ topic: batch.topic, partition: batch.partition, records, highWatermark: batch.highWatermark });
      }
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.idle) this.idle();
    }
  }

  pause(partitions: TopicPartition[]): void {
    if (partitions.length === 0) return;
    for (const tp of partitions) this.wantPaused.set(tpKey(tp.topic, tp.partition), tp);
    this.tryConsumer(() => this.consumer.pause(groupByTopic(partitions)));
  }

  resume(partitions: TopicPartition[]): void {
    if (partitions.length === 0) return;
    for (const tp of partitions) this.wantPaused.delete(tpKey(tp.topic, tp.partition));
    this.tryConsumer(() => this.consumer.resume(groupByTopic(partitions)));
  }

  /**
   * kafkajs throws from pause()/resume() while it restarts its consumer group after a retriable crash
   * ("Consumer group was not initialized"). Backpressure must not fail the worker then: the wish is
   * kept in wantPaused and applied again when the group rejoins (onJoin).
   */
  private tryConsumer(call: () => void): void {
    try {
      call();
    } catch (e) {
      if (!/not initialized/i.test(e instanceof Error ? e.message : String(e))) throw e;
    }
  }

  paused(): TopicPartition[] {
    return this.consumer.paused().flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
  }

  async commit(offsets: ReadonlyArray<TopicPartition & { offset: string }>): Promise<void> {
    if (offsets.length === 0) return;
    await this.client.bounded('consumer commitOffsets', () =>
      this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))),
    );
  }

  seek(tp: TopicPartition & { offset: string }): void {
    this.floors.set(tpKey(tp.topic, tp.partition), BigInt(tp.offset));
    this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: tp.offset });
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()];
  }

  /** Stops fetching, lets the running batch finish, reports all partitions revoked, leaves. */
  async disconnect(): Promise<void> {
    const all = this.assignment();
    this.pause(all);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.idle = null;
    await this.gate;
    if (all.length > 0 && this.handlers?.onRevoke) await this.handlers.onRevoke(all);
    this.assigned.clear();
    await this.consumer.disconnect();
  }
}

function groupByTopic(partitions: TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const by = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = by.get(tp.topic);
    if (list) list.push(tp.partition);
    else by.set(tp.topic, [tp.partition]);
  }
  return [...by.entries()].map(([topic, ps]) => ({ topic, partitions: ps }));
}
