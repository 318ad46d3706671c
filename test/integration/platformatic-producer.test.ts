/**
 * Records produced with the @platformatic/kafka producer (PlatformaticClient, in a child process:
 * the package is ESM-only) are consumed and decoded by the worker's kafkajs consumer: same Avro
 * framing, the vmId key, the partition kafkajs's murmur2 would pick (state/key-group
 * kafkaPartition), headers; and `prescient publish --kafka-client platformatic` feeds a worker source.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopicCodec } from '../../schemas';
import type { PacketEvent } from '../../schemas/types';
import { KafkajsClient, KafkaPacketSource, type IncomingRecord, type KafkaClient } from '../../sources/kafka';
import { kafkaPartition } from '../../state/key-group';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';
import { samplePacket } from './helpers/platformatic-sample';
import { spawnCli, TS_HOOK } from './helpers/worker-process';
import { names, syntheticCapture, writeTopology, type Capture } from './helpers/distributed';
import type { DeadLetter } from '../../schemas/types';

const REPO = join(__dirname, '..', '..');
const PARTITIONS = 5;

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

/** Runs the worker's source (kafkajs consumer + Avro decode + dead letters) until `n` packets arrived. */
async function readAsWorker(client: KafkaClient, topic: string, n: number): Promise<{ events: PacketEvent[]; deadLettered: number }> {
  const events: PacketEvent[] = [];
  const src = new KafkaPacketSource(client, { groupId: uniqueName('worker'), topic, deadLetterTopic: `${topic}-dlq`, onBatch: async (b) => void events.push(...b.events) });
  await src.start();
  try {
    await waitFor(`${n} packets decoded from ${topic}`, () => events.length >= n, 30000);
  } finally {
    await src.close();
  }
  return { events, deadLettered: src.stats().deadLettered };
}

describeIntegration('@platformatic/kafka producer -> kafkajs consumer', ({ kafkaBrokers, redisUrl }) => {
  const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-platformatic' });
  let capture: Capture | undefined;
  const dirs: string[] = [];

  afterAll(() => {
    if (capture !== undefined) rmSync(capture.dir, { recursive: true, force: true });
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function createTopics(...topics: string[]): Promise<void> {
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics(topics.map((topic) => ({ topic, partitions: topic.endsWith('-dlq') ? 1 : PARTITIONS })));
    await admin.disconnect();
  }

  test('keyed records without an explicit partition: same framing, key, murmur2 partition and headers as kafkajs', async () => {
    const topic = uniqueName('plat-packets');
    await createTopics(topic, `${topic}-dlq`);
    const n = 200;
    const r = spawnSync(process.execPath, ['-r', TS_HOOK, join(__dirname, 'helpers', 'platformatic-produce.ts'), kafkaBrokers.join(','), topic, String(n)], { cwd: REPO, encoding: 'utf8', timeout: 60000 });
    expect(r.stderr.replace(/^.*ExperimentalWarning.*$\n?|^\(Use `node --trace-warnings.*$\n?/gm, '')).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ sent: n });

    const raw = await readRaw(client, topic, n);
    expect(raw).toHaveLength(n);
    const codec = createTopicCodec('packets');
    const byTs = new Map<number, IncomingRecord>();
    for (const rec of raw) {
      const p = codec.decode(rec.value as Buffer);
      expect(rec.key?.toString()).toBe(p.vmId);
      expect(rec.partition).toBe(kafkaPartition(p.vmId, PARTITIONS));
      expect(rec.headers.source?.toString()).toBe('platformatic');
      byTs.set(p.tsUs, rec);
    }
    // Every packet arrived once, equal to what was sent.
    for (let i = 0; i < n; i++) {
      const want = samplePacket(i);
      const rec = byTs.get(want.tsUs);
      expect(rec).toBeDefined();
      expect(codec.decode(rec!.value as Buffer)).toEqual(want);
    }
    // More than one partition used, so the check above is not trivially about partition 0.
    expect(new Set(raw.map((x) => x.partition)).size).toBeGreaterThan(1);

    const seen = await readAsWorker(client, topic, n);
    expect(seen.deadLettered).toBe(0);
    expect(seen.events.map((e) => e.tsUs).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => samplePacket(i).tsUs));
  });

  test('prescient publish --kafka-client platformatic: a worker source decodes every packet', async () => {
    capture = await syntheticCapture(6, 3, 21);
    const topic = uniqueName('plat-publish');
    await createTopics(topic, `${topic}-dlq`);
    const p = spawnCli('publish-platformatic', ['publish', '--pcap', capture.pcap, '--inventory', capture.inventory, '--topic', topic, '--partitions', String(PARTITIONS), '--brokers', kafkaBrokers.join(','), '--kafka-client', 'platformatic']);
    const exit = await p.exited;
    expect({ exit, out: exit.code === 0 ? '' : p.output() }).toEqual({ exit: { code: 0, signal: null }, out: '' });
    const summary = JSON.parse(p.output().split('\n').filter((l) => l.startsWith('{"topic"'))[0]) as { packets: number };
    expect(summary.packets).toBe(capture.packets);
    const seen = await readAsWorker(client, topic, capture.packets);
    expect(seen.events).toHaveLength(capture.packets);
    expect(seen.deadLettered).toBe(0);
  });

  test('prescient worker --kafka-client platformatic: its dead-letter producer writes decodable dead letters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plat-worker-'));
    dirs.push(dir);
    const n = names(uniqueName('platw'));
    writeTopology(dir, n, redisUrl);
    const dlq = `${n.name}.dead-letters`;
    const worker = spawnCli('worker-platformatic', ['worker', '-t', join(dir, `${n.name}.yaml`), '--brokers', kafkaBrokers.join(','), '--redis', redisUrl,
      '--group', n.group, '--no-queue', '--topic-prefix', `${n.name}.`, '--kafka-client', 'platformatic']);
    try {
      await waitFor('the worker to own every partition', () => worker.owned().length === 4 || worker.exit() !== undefined, 45000);
      expect(worker.exit()).toBeUndefined();
      expect(worker.logs().find((l) => l.msg === 'kafka connection')).toMatchObject({ client: 'platformatic', security: 'plaintext' });
      const producer = client.producer();
      await producer.connect();
      await producer.send([{ topic: n.packets, records: [
        { key: 'vm-x', value: Buffer.from('not avro at all'), partition: 0 },
        { key: 'vm-y', value: createTopicCodec('packets').encode(samplePacket(1)), partition: 1 },
      ] }]);
      await producer.disconnect();
      const raw = await readRaw(client, dlq, 1);
      const letter = createTopicCodec('dead-letters').decode(raw[0].value as Buffer) as DeadLetter;
      expect(letter).toMatchObject({ topic: n.packets, partition: 0, offset: '0' });
      expect(letter.reason.length).toBeGreaterThan(0);
      expect(letter.value.toString()).toBe('not avro at all');
    } finally {
      await worker.stop(15000);
    }
  });
});
