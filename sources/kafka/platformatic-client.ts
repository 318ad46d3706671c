/**
 * KafkaClient whose producer is @platformatic/kafka 1.35 (about 6 µs of CPU per record against
 * kafkajs's 17, benchmarks/results/kafka-clients-2026-11-26.md); admin and consumer stay on
 * kafkajs for now (KafkajsClient), so a worker's consumer group behaves exactly as before.
 * Records keyed without an explicit partition go where kafkajs would put them: Java-compatible
 * murmur2 (compatibilityPartitioner), so both clients can feed one topic.
 * The package is ESM-only; it is loaded with require() on connect (Node >= 20.19 loads ESM that way).
 */
import type { Producer as PkProducer, MessageToProduce } from '@platformatic/kafka';
import type { KafkaAdmin, KafkaClient, KafkaClientConfig, KafkaConsumer, ConsumerOptions, KafkaProducer, OutgoingRecord, ProducerOptions } from './kafka-client';
import { KafkaConnectionError, KafkaOperationError } from './kafka-errors';
import { KafkajsClient } from './kafkajs-client';
import { platformaticSecurityOptions } from './kafka-security';

type PkModule = typeof import('@platformatic/kafka');
type Message = MessageToProduce<Buffer, Buffer, string, Buffer>;

/** Failures that mean no broker answered (as opposed to a broker refusing the request). */
const CONNECTION_ERRORS = /NetworkError|TimeoutError|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|Connection|connect/i;

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const inner = (e as { errors?: unknown[] }).errors?.[0] ?? (e as { cause?: unknown }).cause;
  return inner instanceof Error && inner.message !== e.message ? `${e.name}: ${e.message} (${inner.message})` : `${e.name}: ${e.message}`;
}

function loadModule(): PkModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@platformatic/kafka') as PkModule;
}

export class PlatformaticClient implements KafkaClient {
  readonly brokers: readonly string[];
  /** Admin and consumer: kafkajs, same brokers and security. */
  private readonly kafkajs: KafkajsClient;

  constructor(private readonly config: KafkaClientConfig) {
    this.brokers = [...config.brokers];
    this.kafkajs = new KafkajsClient(config);
  }

  admin(): KafkaAdmin {
    return this.kafkajs.admin();
  }

  consumer(options: ConsumerOptions): KafkaConsumer {
    return this.kafkajs.consumer(options);
  }

  producer(options: ProducerOptions = {}): KafkaProducer {
    return new PlatformaticProducer(this.config, options.idempotent ?? true);
  }
}

class PlatformaticProducer implements KafkaProducer {
  private producer: PkProducer<Buffer, Buffer, string, Buffer> | null = null;
  private readonly brokers: readonly string[];

  constructor(private readonly config: KafkaClientConfig, private readonly idempotent: boolean) {
    this.brokers = [...config.brokers];
  }

  /** Creates the producer and proves a broker answers (idempotent: gets its producer id). */
  async connect(): Promise<void> {
    if (this.producer !== null) return;
    const pk = loadModule();
    const security = platformaticSecurityOptions(this.config.security);
    const producer = new pk.Producer<Buffer, Buffer, string, Buffer>({
      clientId: this.config.clientId,
      bootstrapBrokers: [...this.config.brokers],
      connectTimeout: this.config.connectTimeoutMs ?? 3000,
      requestTimeout: this.config.requestTimeoutMs ?? 30000,
      retries: this.config.retries ?? 5,
      retryDelay: 100,
      idempotent: this.idempotent,
      acks: -1,
      autocreateTopics: false,
      partitioner: pk.compatibilityPartitioner,
      // Headers are given as strings or Buffers; values and keys are Buffers already.
      serializers: { headerKey: (k?: string) => (k === undefined ? undefined : Buffer.from(k)) },
      ...security,
    });
    const deadlineMs = this.config.operationTimeoutMs ?? 15000;
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const probe = this.idempotent ? producer.initIdempotentProducer({}) : producer.metadata({ topics: [] });
      await Promise.race([
        probe,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
        }),
      ]);
    } catch (e) {
      await producer.close().catch(() => undefined);
      throw new KafkaConnectionError(this.brokers, 'producer connect', Date.now() - t0, describe(e));
    } finally {
      clearTimeout(timer);
    }
    this.producer = producer;
  }

  async send(batches: ReadonlyArray<{ topic: string; records: OutgoingRecord[] }>): Promise<void> {
    const producer = this.producer;
    if (producer === null) throw new KafkaOperationError(this.brokers, 'producer send', 'not connected: call connect() first', batches[0]?.topic);
    let n = 0;
    for (const b of batches) n += b.records.length;
    if (n === 0) return;
    // One flat array per send (the library's request shape); keys as Buffers so the partitioner hashes them.
    const messages = new Array<Message>(n);
    let i = 0;
    for (const b of batches) {
      for (const r of b.records) {
        const m: Message = { topic: b.topic, value: r.value };
        if (r.key !== null) m.key = typeof r.key === 'string' ? Buffer.from(r.key) : r.key;
        if (r.partition !== undefined) m.partition = r.partition;
        if (r.headers !== undefined) m.headers = toHeaders(r.headers);
        messages[i++] = m;
      }
    }
    try {
      await producer.send({ messages });
    } catch (e) {
      const detail = describe(e);
      if (CONNECTION_ERRORS.test(detail)) throw new KafkaConnectionError(this.brokers, 'producer send', 0, detail);
      throw new KafkaOperationError(this.brokers, 'producer send', detail, batches[0].topic);
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer !== null) await producer.close();
  }
}

function toHeaders(h: Record<string, string | Buffer>): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(h)) out[k] = typeof v === 'string' ? Buffer.from(v) : v;
  return out;
}
