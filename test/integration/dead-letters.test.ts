/**
 * Fault test (issue 4, section 7): bad records on the packets topic, at the worker level, on real
 * Kafka + Redis. Among the good records of a capture, every partition gets garbage bytes, a
 * valid Avro record of another schema, a PacketEvent with a fingerprint nobody knows, truncated
 * PacketEvents (body and header) and an empty value. Pass: each lands on the dead-letter topic
 * once, with its bytes untouched and the reason for it; every good record is processed exactly
 * once (state and checkpointed offsets); the worker never fails.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createTopicCodec, type DeadLetter, type PacketEvent } from '../../schemas';
import { publishCommand } from '../../cli/commands/publish';
import { KafkajsClient, type OutgoingRecord } from '../../sources/kafka';
import { PcapSource } from '../../sources/pcap-source';
import { RedisStateBackend } from '../../state';
import { createTopics, names, startWorker, syntheticCapture, writeTopology, type Capture } from './helpers/distributed';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';

jest.setTimeout(120_000);

interface Bad {
  kind: string;
  value: Buffer | null;
  /** What the DeadLetter's reason must start with. */
  reason: RegExp;
}

async function firstPacket(c: Capture): Promise<PacketEvent> {
  const src = new PcapSource({ path: c.pcap, inventory: c.inventory });
  try {
    for await (const b of src.batches()) if (b.length > 0) return { ...b[0] };
  } finally {
    await src.close();
  }
  throw new Error('empty capture');
}

/** One of each kind of bad record; `tag` makes the bytes unique so each letter can be matched. */
function badRecords(good: PacketEvent, tag: number): Bad[] {
  const packets = createTopicCodec('packets');
  const valid = packets.encode({ ...good, tsUs: good.tsUs + tag });
  const unknownFp = Buffer.from(valid);
  unknownFp.writeUInt32LE(0xdeadbeef, 2);
  unknownFp.writeUInt32LE(tag, 6);
  const garbage = Buffer.concat([Buffer.from([0x42, tag & 0xff]), randomBytes(30)]);
  const otherSchema = createTopicCodec('dead-letters').encode({ topic: 'elsewhere', partition: tag, offset: String(tag), key: null, value: Buffer.from('x'), reason: 'not a packet', tsMs: tag });
  return [
    { kind: 'garbage', value: garbage, reason: /^bad-magic: / },
    { kind: 'other schema', value: otherSchema, reason: /^incompatible-writer: DeadLetter/ },
    { kind: 'unknown fingerprint', value: unknownFp, reason: /^unknown-fingerprint: / },
    { kind: 'truncated body', value: valid.subarray(0, valid.length - 3 - (tag % 5)), reason: /^truncated: / },
    { kind: 'truncated header', value: valid.subarray(0, 6), reason: /^truncated-header: / },
    { kind: 'empty', value: null, reason: /^empty: / },
  ];
}

describeIntegration('fault: bad records on the packets topic go to the dead-letter topic, the worker goes on', ({ kafkaBrokers, redisUrl }) => {
  const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-dead-letters' });
  let capture: Capture;

  beforeAll(async () => {
    capture = await syntheticCapture(12, 10, 21);
  });

  afterAll(() => {
    if (capture !== undefined) rmSync(capture.dir, { recursive: true, force: true });
  });

  test('each bad record is dead-lettered with its reason; all good records processed once; no crash', async () => {
    const n = names(uniqueName('dlq'));
    const plan = writeTopology(capture.dir, n, redisUrl);
    await createTopics(client, n);
    const w = await startWorker(client, plan, n, redisUrl);
    try {
      await waitFor('the worker to own the partitions', () => w.worker.ownedPartitions().length === 4, 30_000);
      const good = await firstPacket(capture);
      const producer = client.producer({ idempotent: true });
      await producer.connect();
      // By partition and bytes (an empty value or a cut header repeats): what to expect, how often.
      const expected = new Map<string, { bad: Bad; count: number }>();
      let badTotal = 0;
      const produceBad = async (round: number): Promise<void> => {
        const records: OutgoingRecord[] = [];
        for (let partition = 0; partition < 4; partition++) {
          for (const b of badRecords(good, round * 100 + partition)) {
            records.push({ key: `bad-${partition}`, value: b.value as Buffer, partition });
            const id = `${partition}/${(b.value ?? Buffer.alloc(0)).toString('hex')}`;
            const e = expected.get(id);
            if (e === undefined) expected.set(id, { bad: b, count: 1 });
            else e.count++;
            badTotal++;
          }
        }
        await producer.send([{ topic: n.packets, records }]);
      };
      // Bad records before, among (a second publish is interleaved per partition) and after the good ones.
      await produceBad(1);
      const pub1 = await publishCommand({ pcap: capture.pcap, inventory: capture.inventory, topic: n.packets, client, progressEveryMs: 0, maxPackets: Math.floor(capture.packets / 2) });
      await produceBad(2);
      const pub2 = await publishCommand({ pcap: capture.pcap, inventory: capture.inventory, topic: n.packets, client, progressEveryMs: 0 });
      await produceBad(3);
      await producer.disconnect();
      const goodPerPartition = pub1.perPartition.map((c, p) => c + pub2.perPartition[p]);
      const badPerPartition = 3 * badRecords(good, 0).length;
      const endOffsets = goodPerPartition.map((c) => c + badPerPartition);

      await waitFor('the worker to checkpoint to the end of every partition', () => {
        const s = w.worker.stats().partitions;
        return endOffsets.every((end, p) => s.find((x) => x.partition === p)?.checkpointedOffset === end);
      }, 60_000);
      const stats = w.worker.stats();
      expect(w.worker.failure).toBeUndefined();
      // Every good record ran through the chain once, none of the bad ones did.
      expect(stats.partitions.map((p) => p.records)).toEqual(goodPerPartition);
      expect(stats.deadLettered).toBe(badTotal);
      await w.close();

      // State: each VM counted exactly the good packets published for it.
      const reader = new RedisStateBackend({ url: redisUrl, namespace: n.name });
      await reader.connect();
      const counted: Record<string, number> = {};
      try {
        for (let p = 0; p < 4; p++) {
          const cp = await reader.loadCheckpoint(p);
          expect(cp?.offset).toBe(endOffsets[p]);
          for (const e of cp?.entries ?? []) if (e.state === 'baseline/baseline') counted[e.key] = (e.value as { profile: { n: number } }).profile.n;
        }
      } finally {
        await reader.close();
      }
      const perVm: Record<string, number> = { ...pub1.perVm };
      for (const [vm, c] of Object.entries(pub2.perVm)) perVm[vm] = (perVm[vm] ?? 0) + c;
      expect(counted).toEqual(perVm);

      // The dead-letter topic: one letter per bad record, bytes untouched, reason and place given.
      const letters = await readLetters(client, n.deadLetters, badTotal);
      expect(letters).toHaveLength(badTotal);
      const places = new Set<string>();
      for (const l of letters) {
        const id = `${l.partition}/${Buffer.from(l.value).toString('hex')}`;
        const want = expected.get(id);
        expect(want).toBeDefined();
        want!.count--;
        const kind = want!.bad.kind;
        expect({ kind, reason: want!.bad.reason.test(l.reason) ? 'ok' : l.reason }).toEqual({ kind, reason: 'ok' });
        expect(l.topic).toBe(n.packets);
        expect(Number(l.offset)).toBeLessThan(endOffsets[l.partition]);
        expect(l.key?.toString()).toBe(`bad-${l.partition}`);
        places.add(`${l.partition}@${l.offset}`);
      }
      // Each bad record once: every expected letter arrived, each from its own offset.
      expect([...expected.values()].filter((e) => e.count !== 0)).toEqual([]);
      expect(places.size).toBe(badTotal);
    } finally {
      await w.close();
    }
  });
});

async function readLetters(client: KafkajsClient, topic: string, expected: number): Promise<DeadLetter[]> {
  const codec = createTopicCodec('dead-letters');
  const out: DeadLetter[] = [];
  const consumer = client.consumer({ groupId: `${topic}-reader-${Date.now()}`, startFrom: 'earliest' });
  await consumer.connect();
  await consumer.subscribe([topic]);
  await consumer.run({
    eachBatch: async (b) => {
      for (const r of b.records) if (r.value !== null) out.push(codec.decode(r.value));
    },
  });
  try {
    await waitFor(`${expected} dead letters on ${topic}`, () => out.length >= expected, 30_000, 100).catch(() => undefined);
    // A moment more: a duplicate letter would arrive now.
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await consumer.disconnect();
  }
  return out;
}
