/**
 * Real Kafka: PacketEvents produced with Avro come back equal through KafkaPacketSource; garbage
 * and wrong-schema records land in the dead-letter topic with their reasons and the source goes
 * on; KafkaStreamSink output decodes with the topic codecs.
 */
import { createTopicCodec } from '../../schemas';
import type { DeadLetter, PacketEvent } from '../../schemas/types';
import { KafkaStreamSink } from '../../sinks/kafka';
import { KafkajsClient, KafkaPacketSource, type KafkaClient, type KafkaPacketBatch, type IncomingRecord } from '../../sources/kafka';
import { anomaly, mitigationDecision, packetEvent } from '../unit/schemas/sample-records';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';

/** Reads every record of `topic` from the beginning until `n` arrived. */
async function readRaw(client: KafkaClient, topic: string, n: number): Promise<IncomingRecord[]> {
  const got: IncomingRecord[] = [];
  const c = client.consumer({ groupId: uniqueName('raw-reader') });
  await c.connect();
  await c.subscribe([topic]);
  await c.run({ eachBatch: async (b) => void got.push(...b.records) });
  try {
    await waitFor(`${n} records on ${topic}`, () => got.length >= n, 30000);
  } finally {
    await c.disconnect();
  }
  return got;
}

describeIntegration('kafka round trip (Avro, dead letters, sink)', ({ kafkaBrokers }) => {
  const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-roundtrip' });
  const packets = uniqueName('packets');
  const dlq = uniqueName('dead-letters');
  const anomalies = uniqueName('anomalies');
  const mitigations = uniqueName('mitigations');

  beforeAll(async () => {
    const admin = client.admin();
    await admin.connect();
    const created = await admin.createTopics([
      { topic: packets, partitions: 3 },
      { topic: dlq, partitions: 1 },
      { topic: anomalies, partitions: 2 },
      { topic: mitigations, partitions: 2 },
    ]);
    expect(created.sort()).toEqual([packets, dlq, anomalies, mitigations].sort());
    expect(await admin.partitionCount(packets)).toBe(3);
    // Creating again is a no-op that reports nothing created.
    expect(await admin.createTopics([{ topic: packets, partitions: 3 }])).toEqual([]);
    await admin.disconnect();
  });

  test('packets decode equal; garbage and wrong-schema records are dead-lettered with reasons', async () => {
    const codec = createTopicCodec('packets');
    const sent: PacketEvent[] = [];
    for (let i = 0; i < 30; i++) sent.push({ ...packetEvent, vmId: `vm-${i % 7}`, tsUs: packetEvent.tsUs + i, size: 60 + i });
    const producer = client.producer();
    await producer.connect();
    const garbage = Buffer.from('definitely not avro');
    const wrongSchema = createTopicCodec('anomalies').encode(anomaly);
    await producer.send([
      {
        topic: packets,
        records: [
          ...sent.slice(0, 10).map((p) => ({ key: p.vmId, value: codec.encode(p) })),
          { key: 'vm-bad', value: garbage, partition: 0 },
          ...sent.slice(10, 20).map((p) => ({ key: p.vmId, value: codec.encode(p) })),
          { key: 'vm-wrong', value: wrongSchema, partition: 1 },
          ...sent.slice(20).map((p) => ({ key: p.vmId, value: codec.encode(p) })),
        ],
      },
    ]);
    await producer.disconnect();

    const batches: KafkaPacketBatch[] = [];
    const source = new KafkaPacketSource(client, {
      groupId: uniqueName('roundtrip'),
      topic: packets,
      deadLetterTopic: dlq,
      onBatch: async (b) => void batches.push(b),
    });
    await source.start();
    await waitFor('30 packets', () => source.stats().packets >= 30);
    await source.close();

    const got = batches.flatMap((b) => b.events);
    const byTs = (a: PacketEvent, b: PacketEvent) => a.tsUs - b.tsUs;
    expect(got.sort(byTs)).toEqual([...sent].sort(byTs));
    // Key -> partition is Kafka's murmur2: each vm's packets all come from one partition.
    const partitionsOfVm = new Map<string, Set<number>>();
    for (const b of batches) for (const e of b.events) (partitionsOfVm.get(e.vmId) ?? partitionsOfVm.set(e.vmId, new Set()).get(e.vmId)!).add(b.partition);
    for (const ps of partitionsOfVm.values()) expect(ps.size).toBe(1);
    expect(source.stats().deadLettered).toBe(2);

    const letters = (await readRaw(client, dlq, 2)).map((r) => createTopicCodec('dead-letters').decode(r.value!));
    const byKey = new Map<string, DeadLetter>(letters.map((l) => [l.key!.toString(), l]));
    const bad = byKey.get('vm-bad')!;
    expect(bad.topic).toBe(packets);
    expect(bad.partition).toBe(0);
    expect(bad.value).toEqual(garbage);
    expect(bad.reason).toMatch(/^bad-magic: /);
    const wrong = byKey.get('vm-wrong')!;
    expect(wrong.partition).toBe(1);
    expect(wrong.value).toEqual(wrongSchema);
    // An Anomaly's fingerprint is a known writer, but not one a PacketEvent reader can resolve.
    expect(wrong.reason).toMatch(/^incompatible-writer: Anomaly/);
    // Each dead letter names the bad record's real partition and offset.
    const raw = await readRaw(client, packets, 32);
    const at = (l: DeadLetter) => raw.find((r) => r.partition === l.partition && r.offset === l.offset)!.value;
    expect(at(bad)).toEqual(garbage);
    expect(at(wrong)).toEqual(wrongSchema);
  });

  test('KafkaStreamSink writes Avro records, keyed, that decode equal', async () => {
    const sink = new KafkaStreamSink(client, { topics: { anomalies, mitigations }, maxBatch: 4 });
    await sink.connect();
    const sentAnomalies = Array.from({ length: 9 }, (_, i) => ({ ...anomaly, vmId: `vm-${i}`, score: i + 0.5 }));
    for (const a of sentAnomalies) sink.write('anomalies', a.vmId, a);
    sink.write('mitigations', mitigationDecision.vmId, mitigationDecision);
    sink.write('not-a-stream', 'k', { x: 1 });
    await sink.flush();
    expect(sink.stats()).toEqual({ sent: 10, ignored: { 'not-a-stream': 1 } });
    await sink.close();

    const aCodec = createTopicCodec('anomalies');
    const rawA = await readRaw(client, anomalies, 9);
    const decoded = rawA.map((r) => ({ key: r.key!.toString(), value: aCodec.decode(r.value!) }));
    expect(decoded.map((d) => d.value).sort((x, y) => x.score - y.score)).toEqual(sentAnomalies);
    for (const d of decoded) expect(d.key).toBe(d.value.vmId);
    const rawM = await readRaw(client, mitigations, 1);
    expect(createTopicCodec('mitigations').decode(rawM[0].value!)).toEqual(mitigationDecision);
  });
});
