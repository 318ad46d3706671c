/**
 * KafkaWorker's own logic against an in-memory KafkaClient (the real broker is in
 * test/integration/distributed-worker.test.ts): checkpoint-then-commit order, exact covered
 * offsets around dead letters, restore + seek on assign, backpressure, refetched records skipped.
 */
import { createTopicCodec, type PacketEvent } from '../../../../schemas';
import type {
  ConsumerHandlers, IncomingRecord, KafkaAdmin, KafkaClient, KafkaConsumer, KafkaProducer, TopicPartition,
} from '../../../../sources/kafka';
import { MemoryStateBackend, type Checkpoint } from '../../../../state';
import { KafkaWorker, ManualClock, parseTopology, planTopology, silentLogger } from '../../../../topology';
import { packetEvent } from '../../schemas/sample-records';

const TOPIC = 'pk';

class FakeConsumer implements KafkaConsumer {
  handlers: ConsumerHandlers | null = null;
  readonly pausedSet = new Set<number>();
  constructor(private readonly log: unknown[][]) {}
  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(h: ConsumerHandlers): Promise<void> {
    this.handlers = h;
  }
  pause(tps: TopicPartition[]): void {
    for (const tp of tps) {
      this.pausedSet.add(tp.partition);
      this.log.push(['pause', tp.partition]);
    }
  }
  resume(tps: TopicPartition[]): void {
    for (const tp of tps) {
      this.pausedSet.delete(tp.partition);
      this.log.push(['resume', tp.partition]);
    }
  }
  paused(): TopicPartition[] {
    return [...this.pausedSet].map((partition) => ({ topic: TOPIC, partition }));
  }
  async commit(offsets: ReadonlyArray<TopicPartition & { offset: string }>): Promise<void> {
    for (const o of offsets) this.log.push(['commit', o.partition, o.offset]);
  }
  seek(tp: TopicPartition & { offset: string }): void {
    this.log.push(['seek', tp.partition, tp.offset]);
  }
  assignment(): TopicPartition[] {
    return [];
  }
  async disconnect(): Promise<void> {}
}

class FakeClient implements KafkaClient {
  readonly brokers = ['fake:9092'];
  readonly log: unknown[][] = [];
  readonly consumers: FakeConsumer[] = [];
  readonly sent: Array<{ topic: string; n: number }> = [];
  admin(): KafkaAdmin {
    throw new Error('no admin in this test');
  }
  producer(): KafkaProducer {
    return {
      connect: async () => undefined,
      send: async (batches) => void batches.forEach((b) => this.sent.push({ topic: b.topic, n: b.records.length })),
      disconnect: async () => undefined,
    };
  }
  consumer(): KafkaConsumer {
    const c = new FakeConsumer(this.log);
    this.consumers.push(c);
    return c;
  }
}

/** Memory backend that logs checkpoints into the same log as the consumer's commits. */
class LoggingBackend extends MemoryStateBackend {
  constructor(private readonly log: unknown[][]) {
    super(() => 0);
  }
  override async saveCheckpoint(cp: Checkpoint): Promise<void> {
    this.log.push(['checkpoint', cp.partition, cp.offset]);
    await super.saveCheckpoint(cp);
  }
}

const plan = planTopology(parseTopology([
  'name: unit',
  `source: { kind: kafka, topic: ${TOPIC} }`,
  'partitions: 2',
  'operators: [{ use: entropy }]',
  "state: { backend: redis, url: 'redis://unused:1', checkpointEvery: 1s }",
  'runtime: { mailboxCapacity: 4, chunkSize: 4 }',
].join('\n'), 'unit.yaml'));

const codec = createTopicCodec('packets');

function records(partition: number, from: number, to: number, garbageAt: number[] = []): IncomingRecord[] {
  const out: IncomingRecord[] = [];
  for (let o = from; o < to; o++) {
    const ev: PacketEvent = { ...packetEvent, tsUs: packetEvent.tsUs + o, vmId: `vm-${o % 3}` };
    out.push({ topic: TOPIC, partition, offset: String(o), key: Buffer.from(ev.vmId), value: garbageAt.includes(o) ? Buffer.from('garbage') : codec.encode(ev), timestampMs: 0, headers: {} });
  }
  return out;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

async function setup(backend?: LoggingBackend, maxBacklog?: number) {
  const client = new FakeClient();
  const clock = new ManualClock(1_000_000);
  const be = backend ?? new LoggingBackend(client.log);
  const worker = new KafkaWorker(plan, { client, stateBackend: be, clock, logger: silentLogger(), kafkaRepartition: false, maxBacklog });
  await worker.start();
  const consumer = client.consumers[0];
  const h = consumer.handlers as ConsumerHandlers;
  const batch = (partition: number, recs: IncomingRecord[]) => h.eachBatch({ topic: TOPIC, partition, records: recs, highWatermark: '100' });
  return { client, clock, worker, consumer, h, batch, backend: be };
}

describe('KafkaWorker (in-memory Kafka)', () => {
  test('checkpoint (state + covered offset) is written before the offset is committed; dead letters are covered', async () => {
    const { client, clock, worker, h, batch } = await setup();
    await h.onAssign?.([{ topic: TOPIC, partition: 0 }]);
    await batch(0, records(0, 0, 10, [4, 9]));
    await settle();
    expect(worker.stats().partitions[0].records).toBe(8);
    expect(client.sent).toEqual([{ topic: 'dead-letters', n: 2 }]);
    clock.advanceUs(1_000_000);
    await settle();
    // Offset 10: the trailing dead letter at 9 is covered too.
    expect(client.log.filter((e) => e[0] === 'checkpoint' || e[0] === 'commit')).toEqual([['checkpoint', 0, 10], ['commit', 0, '10']]);
    await worker.stop();
  });

  test('assign restores the checkpoint and seeks there; records refetched below it are skipped', async () => {
    const log: unknown[][] = [];
    const backend = new LoggingBackend(log);
    const state = backend.openTask(1);
    state.table<number>('x').set('k', 1);
    await backend.saveCheckpoint({ partition: 1, offset: 7, entries: state.dirtyEntries(), takenAtMs: 0 });
    const { client, clock, worker, h, batch } = await setup(backend);
    await h.onAssign?.([{ topic: TOPIC, partition: 1 }]);
    expect(client.log).toContainEqual(['seek', 1, '7']);
    expect(worker.stats().partitions[0]).toMatchObject({ partition: 1, restoredFrom: 7 });
    await batch(1, records(1, 7, 12));
    // A rebalance made the consumer fetch from an older committed offset: 7..11 again, then 12..14.
    await batch(1, records(1, 5, 15));
    await settle();
    expect(worker.stats().partitions[0].records).toBe(8);
    clock.advanceUs(1_000_000);
    await settle();
    expect(client.log.filter((e) => e[0] === 'commit')).toEqual([['commit', 1, '15']]);
    await worker.stop();
  });

  test('a partition past its backlog bound is paused, resumed once drained, and loses nothing', async () => {
    const { client, clock, worker, h, batch } = await setup(undefined, 6);
    await h.onAssign?.([{ topic: TOPIC, partition: 0 }]);
    await batch(0, records(0, 0, 40));
    expect(client.log).toContainEqual(['pause', 0]);
    await settle();
    expect(client.log).toContainEqual(['resume', 0]);
    expect(worker.stats().partitions[0]).toMatchObject({ records: 40, pauses: 1 });
    clock.advanceUs(1_000_000);
    await settle();
    expect(client.log.filter((e) => e[0] === 'commit')).toEqual([['commit', 0, '40']]);
    await worker.stop();
  });

  test('revoke checkpoints and commits what the task did, then drops it', async () => {
    const { client, worker, h, batch } = await setup();
    await h.onAssign?.([{ topic: TOPIC, partition: 0 }, { topic: TOPIC, partition: 1 }]);
    await batch(0, records(0, 0, 3));
    await settle();
    await h.onRevoke?.([{ topic: TOPIC, partition: 0 }]);
    expect(worker.ownedPartitions()).toEqual([1]);
    expect(client.log.filter((e) => e[0] === 'checkpoint' || e[0] === 'commit')).toEqual([['checkpoint', 0, 3], ['commit', 0, '3']]);
    await worker.stop();
  });
  test('a checkpoint waiting on its backend shows in the stats while it runs (in flight) and after (longest)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    class SlowBackend extends LoggingBackend {
      override async saveCheckpoint(cp: Checkpoint): Promise<void> {
        await gate;
        await super.saveCheckpoint(cp);
      }
    }
    const { clock, worker, h, batch } = await setup(new SlowBackend([]));
    await h.onAssign?.([{ topic: TOPIC, partition: 0 }]);
    await batch(0, records(0, 0, 3));
    await settle();
    clock.advanceUs(1_000_000);
    await settle();
    await new Promise((r) => setTimeout(r, 60));
    const during = worker.stats();
    expect(during.checkpointInFlightMs).toBeGreaterThanOrEqual(50);
    expect(during.partitions[0].checkpointedOffset).toBe(-1);
    release();
    await settle();
    const after = worker.stats();
    expect(after.checkpointInFlightMs).toBe(0);
    expect(after.longestCheckpointMs).toBeGreaterThanOrEqual(50);
    expect(after.partitions[0].checkpointedOffset).toBe(3);
    await worker.stop();
  });
});
