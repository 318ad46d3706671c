/**
 * Fault test (issue 4, section 7), on real Kafka + Redis with real `prescient worker` processes:
 * 3 workers in one group, a synthetic capture of over 500k packets with attacks published while
 * they run, one worker killed with SIGKILL mid-stream and then started again. Pass:
 * - every packet's effect is in the checkpointed state exactly once (each VM's baseline profile
 *   counted exactly the packets published for that VM; every partition's checkpoint covers its end);
 * - no expected anomaly is missing: the anomaly ids on the output topic are those of the embedded
 *   run of the same packets (and nothing else);
 * - no mitigation job is doubled: one BullMQ job per decision id; every decision of the embedded run
 *   that falls due within the stream is there, and none that the embedded run did not make.
 * Also: a worker pointed at a port nothing listens on retries with backoff and exits 69.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { PublishResult } from '../../cli/commands/publish';
import { ExitCode } from '../../cli/exit-codes';
import { createTopicCodec, type Anomaly } from '../../schemas';
import { bullConnection, mitigationJobId } from '../../sinks/bullmq';
import { KafkajsClient, type KafkaClient } from '../../sources/kafka';
import { PcapSource } from '../../sources/pcap-source';
import { RedisStateBackend } from '../../state';
import { kafkaPartition } from '../../state/key-group';
import { loadTopologyFile, planTopology, type TopologyPlan } from '../../topology';
import { embeddedRun, REPO, syntheticCapture, type Capture, type EmbeddedOutputs } from './helpers/distributed';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';
import { spawnCli, type CliProcess } from './helpers/worker-process';

const PARTITIONS = 6;
/**
 * 96 VMs x 180 s of synthetic traffic with the demo attacks: about 536k packets. A shorter
 * capture (PRESCIENT_KILL_TEST_SECONDS, e.g. 30 for ~90k packets) checks the same on a busy machine.
 */
const VMS = 96;
const DURATION_SEC = Number(process.env.PRESCIENT_KILL_TEST_SECONDS ?? 180);
const FULL_SIZE = DURATION_SEC >= 180;
/** Longest the stream may take, publish to last checkpoint (PRESCIENT_KILL_TEST_BUDGET_S, default 300 s). */
const STREAM_BUDGET_MS = Number(process.env.PRESCIENT_KILL_TEST_BUDGET_S ?? 300) * 1000;
jest.setTimeout(STREAM_BUDGET_MS + 180_000);

function writeTopology(dir: string, name: string, topic: string, redisUrl: string): { file: string; plan: TopologyPlan } {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [
    `name: ${name}`,
    `source: { kind: kafka, topic: ${topic} }`,
    `partitions: ${PARTITIONS}`,
    'operators:',
    '  - { use: window, size: 1s, slide: 250ms }',
    '  - { use: entropy }',
    '  - { use: baseline, scopes: [vm] }',
    '  - { use: score }',
    `  - { use: mitigate, policy: ${join(REPO, 'policies/default.yaml')} }`,
    'sinks: [anomalies, mitigations]',
    `state: { backend: redis, url: '${redisUrl}', checkpointEvery: 250ms }`,
    'runtime: { mailboxCapacity: 1024, chunkSize: 256, maxOutOfOrderness: 2s }',
    '',
  ].join('\n'));
  return { file, plan: planTopology(loadTopologyFile(file)) };
}

/** Reads a topic from the start until `done(ids)` holds (or the timeout), then a quiet second more. */
async function readAnomalyIds(client: KafkaClient, topic: string, done: (ids: Set<string>) => boolean, timeoutMs: number): Promise<{ ids: Set<string>; records: number }> {
  const codec = createTopicCodec('anomalies');
  const ids = new Set<string>();
  let records = 0;
  const consumer = client.consumer({ groupId: `${topic}-reader-${Date.now()}`, startFrom: 'earliest' });
  await consumer.connect();
  await consumer.subscribe([topic]);
  await consumer.run({
    eachBatch: async (b) => {
      for (const r of b.records) {
        if (r.value === null) continue;
        ids.add((codec.decode(r.value) as Anomaly).id);
        records++;
      }
    },
  });
  try {
    await waitFor(`the anomalies on ${topic}`, () => done(ids), timeoutMs, 200).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await consumer.disconnect();
  }
  return { ids, records };
}

interface CaptureFacts {
  packets: number;
  perPartition: number[];
  perVm: Record<string, number>;
  /** Latest capture timestamp per partition: how far each partition's event time gets. */
  maxTsUs: number[];
}

/** What `prescient publish` will put on each partition and for each VM (same reader, same inventory). */
async function captureFacts(c: Capture, partitions: number): Promise<CaptureFacts> {
  const f: CaptureFacts = { packets: 0, perPartition: new Array<number>(partitions).fill(0), perVm: {}, maxTsUs: new Array<number>(partitions).fill(-Infinity) };
  const src = new PcapSource({ path: c.pcap, inventory: c.inventory });
  try {
    for await (const b of src.batches()) {
      for (const p of b) {
        const i = kafkaPartition(p.vmId, partitions);
        f.packets++;
        f.perPartition[i]++;
        f.perVm[p.vmId] = (f.perVm[p.vmId] ?? 0) + 1;
        if (p.tsUs > f.maxTsUs[i]) f.maxTsUs[i] = p.tsUs;
      }
    }
  } finally {
    await src.close();
  }
  return f;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describeIntegration('fault: a worker killed with SIGKILL mid-stream and restarted (3 worker processes)', ({ kafkaBrokers, redisUrl }) => {
  const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-worker-kill' });
  const procs: CliProcess[] = [];
  let capture: Capture;
  let logDir: string;

  beforeAll(async () => {
    capture = await syntheticCapture(VMS, DURATION_SEC, 11);
    logDir = mkdtempSync(join(tmpdir(), 'prescient-worker-kill-'));
  });

  afterAll(async () => {
    // Never leave a worker behind, whatever failed.
    await Promise.all(procs.map((p) => p.kill9()));
    // The capture is large (tens of MB); the worker logs stay for a look after a failure.
    if (capture !== undefined) rmSync(capture.dir, { recursive: true, force: true });
  });

  test('exactly once in state, no anomaly missing, no mitigation job doubled', async () => {
    if (FULL_SIZE) expect(capture.packets).toBeGreaterThanOrEqual(500_000);
    const name = uniqueName('kill');
    const topic = `${name}.packets`;
    const queueName = `${name}.mitigation`;
    const group = `${name}-workers`;
    const { file, plan } = writeTopology(capture.dir, name, topic, redisUrl);
    const facts = await captureFacts(capture, PARTITIONS);
    // The reference (embedded run of the same capture) runs while the workers do; awaited at the end.
    const t0 = Date.now();
    let embeddedMs = 0;
    const referencing: Promise<EmbeddedOutputs> = embeddedRun(plan, capture).then((r) => {
      embeddedMs = Date.now() - t0;
      return r;
    });
    referencing.catch(() => undefined);

    // The topics exist before the workers start, with the topology's partition count.
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
    await admin.disconnect();

    const args = ['worker', '-t', file, '--brokers', kafkaBrokers.join(','), '--redis', redisUrl, '--group', group,
      '--topic-prefix', `${name}.`, '--queue-name', queueName];
    const start = (label: string): CliProcess => {
      const p = spawnCli(label, args, join(logDir, `${label}.log`));
      procs.push(p);
      return p;
    };
    const workers = [start('w1'), start('w2'), start('w3')];
    await waitFor('three workers to share the partitions', () => {
      const owned = workers.map((w) => w.owned());
      return owned.every((o) => o.length > 0) && owned.flat().length === PARTITIONS;
    }, 90_000, 200);

    const reader = new RedisStateBackend({ url: redisUrl, namespace: name });
    await reader.connect();
    try {
      const checkpointed = async (): Promise<number[]> => {
        const out: number[] = [];
        for (let p = 0; p < PARTITIONS; p++) out.push((await reader.loadCheckpoint(p))?.offset ?? 0);
        return out;
      };

      // `prescient publish` (its own process, as the agent side is), unpaced; the workers consume meanwhile.
      const tPub = Date.now();
      const publisher = spawnCli('publish', ['publish', '--pcap', capture.pcap, '--inventory', capture.inventory, '--topic', topic, '--brokers', kafkaBrokers.join(',')], join(logDir, 'publish.log'));
      procs.push(publisher);
      const publishing = publisher.exited.then((e): PublishResult => {
        if (e.code !== 0) throw new Error(`prescient publish exited ${e.code ?? e.signal}: ${publisher.output().slice(-2000)}`);
        const line = publisher.output().split('\n').find((l) => l.startsWith('{"topic"'));
        const r = JSON.parse(line ?? '{}') as { packets: number; perPartition: number[] };
        return { topic, packets: r.packets, perPartition: r.perPartition, perVm: facts.perVm, skipped: {}, createdTopic: false, wallMs: Date.now() - tPub };
      });
      let published: PublishResult | undefined;
      void publishing.then((r) => (published = r), () => undefined);

      // Kill w1 once a fifth of the packets are in checkpoints and its partitions are mid-stream.
      const victim = workers[0];
      const victimOwned = victim.owned();
      await waitFor('the workers to be mid-stream', async () => {
        const cp = await checkpointed();
        const total = cp.reduce((a, b) => a + b, 0);
        return total >= capture.packets / 5 && victimOwned.some((p) => cp[p] > 0);
      }, STREAM_BUDGET_MS, 250);
      const atKill = await checkpointed();
      const killedExit = await victim.kill9();
      expect(killedExit.signal).toBe('SIGKILL');
      const killedAfterMs = Date.now() - tPub;
      // Restarted a moment later, as a supervisor would.
      await new Promise((r) => setTimeout(r, 1000));
      const restarted = start('w1-restarted');

      const pub = await publishing;
      expect(published).toBeDefined();
      expect(pub.packets).toBe(capture.packets);
      // The publisher's own counts agree with the capture's: the per-VM ones below are the capture's.
      expect(pub.perPartition).toEqual(facts.perPartition);
      expect(facts.packets).toBe(capture.packets);
      const pubMs = Date.now() - tPub;
      // The kill landed before the end of the stream for at least one of the victim's partitions.
      expect(victimOwned.some((p) => atKill[p] < pub.perPartition[p])).toBe(true);

      await waitFor('every partition checkpointed to its end', async () => {
        const cp = await checkpointed();
        return cp.every((o, p) => o === pub.perPartition[p]);
      }, Math.max(30_000, STREAM_BUDGET_MS - (Date.now() - tPub)), 250);
      const doneMs = Date.now() - tPub;
      const reference = await referencing;
      const allowedJobs = new Set(reference.decisions.map((d) => mitigationJobId(d.id)));
      // A stream has no end: the embedded run's end of input fires every pending timer (e.g. the
      // lifting of a mitigation 30 s on), a worker fires a timer once its partition's watermark
      // (max event time - maxOutOfOrderness 2 s) passes it. Decisions due 1 s before that must be there.
      const expectedJobs = new Set(reference.decisions
        .filter((d) => d.tsUs <= facts.maxTsUs[kafkaPartition(d.vmId, PARTITIONS)] - 3_000_000)
        .map((d) => mitigationJobId(d.id)));
      // Attacks are in the capture, so there is something to miss.
      expect(reference.anomalies.size).toBeGreaterThan(0);
      expect(expectedJobs.size).toBeGreaterThan(0);

      // Graceful stop of the survivors: each leaves with exit 0 (nobody crashed).
      const live = [workers[1], workers[2], restarted];
      expect(live.every((w) => w.exit() === undefined)).toBe(true);
      const exits = await Promise.all(live.map((w) => w.stop()));
      expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
      // The restarted worker took part after the kill (partitions moved to it or back).
      expect(restarted.owned().length + restarted.logs().filter((l) => l.msg === 'partition assigned').length).toBeGreaterThan(0);

      // Exactly once in state: per-VM packet counts of the checkpoints equal those published.
      const counted: Record<string, number> = {};
      for (let p = 0; p < PARTITIONS; p++) {
        const cp = await reader.loadCheckpoint(p);
        expect(cp?.offset).toBe(pub.perPartition[p]);
        for (const e of cp?.entries ?? []) if (e.state === 'baseline/baseline') counted[e.key] = (e.value as { profile: { n: number } }).profile.n;
      }
      expect(counted).toEqual(pub.perVm);

      // No expected anomaly missing (and none invented): as a set, the embedded run's.
      const { ids, records } = await readAnomalyIds(client, `${name}.anomalies`, (got) => [...reference.anomalies].every((id) => got.has(id)), 60_000);
      expect([...reference.anomalies].filter((id) => !ids.has(id))).toEqual([]);
      expect([...ids].filter((id) => !reference.anomalies.has(id))).toEqual([]);

      // No mitigation job doubled: one job per decision id, exactly the embedded run's decisions.
      const queue = new Queue(queueName, { connection: bullConnection(redisUrl) });
      let jobIds: string[];
      try {
        jobIds = (await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'paused', 'prioritized'])).map((j) => j.id as string);
      } finally {
        await queue.close();
      }
      expect(jobIds.length).toBe(new Set(jobIds).size);
      expect([...expectedJobs].filter((id) => !jobIds.includes(id))).toEqual([]);
      expect(jobIds.filter((id) => !allowedJobs.has(id))).toEqual([]);

      process.stderr.write(`[worker-kill] ${pub.packets} packets, ${PARTITIONS} partitions, 3 workers: embedded reference ${embeddedMs} ms; ` +
        `published in ${pubMs} ms; w1 (partitions ${victimOwned.join(',')}) killed at ${killedAfterMs} ms with checkpoints ${atKill.join(',')}; ` +
        `all checkpointed at ${doneMs} ms; ${reference.anomalies.size} anomalies (${records} records on the topic), ${jobIds.length} mitigation jobs ` +
        `(${expectedJobs.size} due within the stream, ${allowedJobs.size} in the embedded run); logs in ${logDir}\n`);
    } finally {
      await reader.close();
    }
  });

  test('a worker pointed at a port nothing listens on logs its retries and exits 69, once', async () => {
    const name = uniqueName('unreachable');
    const { file } = writeTopology(capture.dir, name, `${name}.packets`, redisUrl);
    const broker = `127.0.0.1:${await closedPort()}`;
    const w = spawnCli('unreachable', ['worker', '-t', file, '--brokers', broker, '--redis', redisUrl, '--connect-attempts', '3', '--connect-backoff', '200'], join(logDir, 'unreachable.log'));
    procs.push(w);
    const t0 = Date.now();
    const exit = await Promise.race([w.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000))]);
    expect(exit).toEqual({ code: ExitCode.SERVICE_UNAVAILABLE, signal: null });
    expect(Date.now() - t0).toBeLessThan(60_000);
    const retries = w.logs().filter((l) => l.msg === 'kafka unreachable; retrying');
    expect(retries.map((l) => [l.attempt, l.retryInMs])).toEqual([[1, 200], [2, 400]]);
    const final = w.output().split('\n').filter((l) => l.startsWith('prescient: '));
    expect(final).toHaveLength(1);
    expect(final[0]).toContain(broker);
    expect(final[0]).toMatch(/gave up after 3 attempts/);
  });
});
