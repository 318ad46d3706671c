/**
 * Real Kafka consumer groups through the project's client: partitions split across two members
 * (onAssign/onRevoke report the moves), explicit commits, and pause/resume as backpressure.
 */
import { KafkajsClient, type IncomingBatch, type KafkaConsumer, type TopicPartition } from '../../sources/kafka';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';

interface Member {
  consumer: KafkaConsumer;
  assigned: number[];
  revoked: number[];
  /** partition -> offsets received */
  got: Map<number, string[]>;
}

describeIntegration('kafka consumer group', ({ kafkaBrokers }) => {
  const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-group' });

  async function createTopic(partitions: number): Promise<string> {
    const topic = uniqueName('group-topic');
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions }]);
    await admin.disconnect();
    return topic;
  }

  async function produce(topic: string, perPartition: number, partitions: number[]): Promise<void> {
    const p = client.producer();
    await p.connect();
    const records = partitions.flatMap((partition) =>
      Array.from({ length: perPartition }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`p${partition}-${i}`), partition })),
    );
    await p.send([{ topic, records }]);
    await p.disconnect();
  }

  async function join(topic: string, groupId: string, commit: boolean): Promise<Member> {
    const consumer = client.consumer({ groupId, sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 });
    const m: Member = { consumer, assigned: [], revoked: [], got: new Map() };
    await consumer.connect();
    await consumer.subscribe([topic]);
    await consumer.run({
      onAssign: (tps: TopicPartition[]) => void m.assigned.push(...tps.map((t) => t.partition)),
      onRevoke: (tps: TopicPartition[]) => void m.revoked.push(...tps.map((t) => t.partition)),
      eachBatch: async (b: IncomingBatch) => {
        const list = m.got.get(b.partition) ?? [];
        list.push(...b.records.map((r) => r.offset));
        m.got.set(b.partition, list);
        if (commit) {
          const next = (BigInt(b.records[b.records.length - 1].offset) + 1n).toString();
          await consumer.commit([{ topic: b.topic, partition: b.partition, offset: next }]);
        }
      },
    });
    return m;
  }

  const owned = (m: Member) => m.consumer.assignment().map((t) => t.partition).sort();

  test('two members split the partitions, each consumes only its own, commits are explicit', async () => {
    const topic = await createTopic(4);
    const groupId = uniqueName('group');
    const a = await join(topic, groupId, true);
    await waitFor('member A to own 4 partitions', () => owned(a).length === 4);
    expect([...a.assigned].sort()).toEqual([0, 1, 2, 3]);

    const b = await join(topic, groupId, true);
    await waitFor('both members to own partitions', () => owned(a).length > 0 && owned(b).length > 0 && owned(a).length + owned(b).length === 4, 30000);
    expect([...owned(a), ...owned(b)].sort()).toEqual([0, 1, 2, 3]);
    // What A lost is exactly what B got, and A was told.
    expect([...a.revoked].sort()).toEqual(owned(b));
    expect([...b.assigned].sort()).toEqual(owned(b));

    await produce(topic, 10, [0, 1, 2, 3]);
    await waitFor('40 records', () => [...a.got.values(), ...b.got.values()].reduce((n, l) => n + l.length, 0) >= 40);
    for (const [m, other] of [[a, b], [b, a]] as const) {
      for (const p of m.got.keys()) expect(owned(m)).toContain(p);
      for (const p of owned(m)) {
        expect(m.got.get(p)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
        expect(other.got.has(p)).toBe(false);
      }
    }

    const admin = client.admin();
    await admin.connect();
    const committed = await admin.committedOffsets(groupId, topic);
    await admin.disconnect();
    expect([...committed.entries()].sort()).toEqual([[0, '10'], [1, '10'], [2, '10'], [3, '10']]);

    // B leaves: it is told it lost everything, and A gets B's partitions back.
    const bHad = owned(b);
    await b.consumer.disconnect();
    expect([...b.revoked].sort()).toEqual(bHad);
    await waitFor('member A to own 4 partitions again', () => owned(a).length === 4, 30000);
    await a.consumer.disconnect();
  });

  test('a paused partition is not fetched until resumed, and nothing is lost', async () => {
    const topic = await createTopic(2);
    const m = await join(topic, uniqueName('pause'), false);
    await waitFor('assignment', () => owned(m).length === 2);
    m.consumer.pause([{ topic, partition: 0 }]);
    expect(m.consumer.paused()).toEqual([{ topic, partition: 0 }]);
    await produce(topic, 5, [0, 1]);
    await waitFor('partition 1 records', () => (m.got.get(1)?.length ?? 0) === 5);
    await new Promise((r) => setTimeout(r, 1500));
    expect(m.got.has(0)).toBe(false);
    m.consumer.resume([{ topic, partition: 0 }]);
    await waitFor('partition 0 records after resume', () => (m.got.get(0)?.length ?? 0) === 5);
    expect(m.got.get(0)).toEqual(['0', '1', '2', '3', '4']);
    await m.consumer.disconnect();
  });

  test('seek() in onAssign resumes a partition from a given offset', async () => {
    const topic = await createTopic(1);
    await produce(topic, 8, [0]);
    const consumer = client.consumer({ groupId: uniqueName('seek') });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe([topic]);
    await consumer.run({
      onAssign: async (tps) => {
        // Simulates a restore that takes a while before it knows where to resume.
        await new Promise((r) => setTimeout(r, 300));
        for (const tp of tps) consumer.seek({ ...tp, offset: '5' });
      },
      eachBatch: async (b) => void got.push(...b.records.map((r) => r.offset)),
    });
    await waitFor('records from offset 5', () => got.length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual(['5', '6', '7']);
    await consumer.disconnect();
  });
});
