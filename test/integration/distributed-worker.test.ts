/**
 * Distributed mode end to end on real Kafka + Redis: `publish` a synthetic capture, run workers
 * of one consumer group (each partition a Task, state checkpointed to Redis), and compare with
 * the embedded run of the same capture. Fault: a worker killed mid-stream (no checkpoint, no
 * commit); the survivor restores the last checkpoints and finishes. Guarantee checked: every
 * packet's effect is in state exactly once, the anomalies (as a set of ids) are the embedded
 * run's, outputs may repeat (at-least-once, same id), and no mitigation job exists twice.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import type { Anomaly, MitigationDecision } from '../../schemas';
import { KafkajsClient } from '../../sources/kafka';
import { bullConnection, mitigationJobId, MitigationQueueSink, startEnforceWorker } from '../../sinks/bullmq';
import { RedisStateBackend } from '../../state';
import { publishCommand, type PublishResult } from '../../cli/commands/publish';
import type { TopologyPlan } from '../../topology';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';
import { REPO_ROOT, runDirOf } from './setup/services';
import {
  createTopics, embeddedRun, names, readTopic, startWorker, syntheticCapture, writeTopology,
  type Capture, type EmbeddedOutputs, type Names, type TestWorker, type WorkerKnobs,
} from './helpers/distributed';

jest.setTimeout(120_000);

describeIntegration('distributed mode: publish -> workers -> Kafka outputs + BullMQ', ({ kafkaBrokers, redisUrl }) => {
  const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-distributed' });
  const closers: Array<() => Promise<unknown>> = [];
  let capture: Capture;
  let embedded: EmbeddedOutputs;
  let embeddedPlan: TopologyPlan;

  beforeAll(async () => {
    capture = await syntheticCapture(16, 40);
    const n = names(uniqueName('embedded'));
    embeddedPlan = writeTopology(capture.dir, n, redisUrl);
    embedded = await embeddedRun(embeddedPlan, capture);
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  async function setup(prefix: string, scopes?: string[]): Promise<{ n: Names; plan: TopologyPlan }> {
    const n = names(uniqueName(prefix));
    const plan = writeTopology(capture.dir, n, redisUrl, scopes);
    await createTopics(client, n);
    return { n, plan };
  }

  async function worker(plan: TopologyPlan, n: Names, knobs?: WorkerKnobs): Promise<TestWorker> {
    const w = await startWorker(client, plan, n, redisUrl, knobs);
    closers.push(() => w.close());
    return w;
  }

  function publish(n: Names, rate?: number): Promise<PublishResult> {
    return publishCommand({ pcap: capture.pcap, inventory: capture.inventory, topic: n.packets, client, rate, progressEveryMs: 0 });
  }

  /** Every partition's last checkpoint covers all the packets published to it. */
  function caughtUp(w: TestWorker, pub: PublishResult): boolean {
    const s = w.worker.stats().partitions;
    return pub.perPartition.every((count, p) => s.find((x) => x.partition === p && x.owned)?.checkpointedOffset === count);
  }

  async function queueJobIds(n: Names): Promise<string[]> {
    const q = new Queue(n.queue, { connection: bullConnection(redisUrl) });
    try {
      const jobs = await q.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'paused', 'prioritized']);
      return jobs.map((j) => j.id as string);
    } finally {
      await q.close();
    }
  }

  test('one worker: anomalies on Kafka equal the embedded run of the capture (as a set of ids)', async () => {
    expect(embedded.anomalies.size).toBeGreaterThan(0);
    const { n, plan } = await setup('one');
    const w = await worker(plan, n);
    // The topic comes from the topology file, as with `prescient publish -t`.
    const pub = await publishCommand({ pcap: capture.pcap, inventory: capture.inventory, topology: path.join(capture.dir, `${n.name}.yaml`), client, progressEveryMs: 0 });
    expect(pub.topic).toBe(n.packets);
    expect(pub.packets).toBe(capture.packets);
    await waitFor('the worker to checkpoint every packet', () => caughtUp(w, pub), 60000);
    const stats = w.worker.stats();
    expect(stats.partitions.map((p) => p.records)).toEqual(pub.perPartition);
    await w.close();

    const anomalies = await readTopic<Anomaly>(client, n.anomalies, 'anomalies', stats.outputs.anomalies ?? 0);
    expect(new Set(anomalies.map((a) => a.id))).toEqual(embedded.anomalies);
    // Offsets went to Kafka after the checkpoints that cover them.
    const admin = client.admin();
    await admin.connect();
    const committed = await admin.committedOffsets(n.group, n.packets);
    await admin.disconnect();
    expect([...committed.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => Number(o))).toEqual(pub.perPartition);
    // Decisions became BullMQ jobs, one per decision id.
    const decisions = await readTopic<MitigationDecision>(client, n.mitigations, 'mitigations', stats.outputs.mitigations ?? 0);
    expect(decisions.length).toBeGreaterThan(0);
    expect(new Set(await queueJobIds(n))).toEqual(new Set(decisions.map((d) => mitigationJobId(d.id))));

    // `prescient enforce` applies each job once, with the decision it carries.
    const applied: string[] = [];
    const enforcer = startEnforceWorker({ redisUrl, queueName: n.queue, enforcer: { kind: 'test', apply: async (d) => void applied.push(d.id) } });
    closers.push(() => enforcer.close());
    await waitFor('the enforcer to apply every job', () => applied.length >= decisions.length, 20000);
    await new Promise((r) => setTimeout(r, 300));
    expect(applied.sort()).toEqual(decisions.map((d) => d.id).sort());
  });

  test('two workers split the partitions; one killed mid-stream, the other takes over: nothing lost, nothing doubled', async () => {
    const { n, plan } = await setup('fault');
    const a = await worker(plan, n);
    const b = await worker(plan, n);
    await waitFor('both workers to own partitions', () => {
      const pa = a.worker.ownedPartitions();
      const pb = b.worker.ownedPartitions();
      return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4;
    }, 30000);
    const aOwned = a.worker.ownedPartitions();
    expect([...aOwned, ...b.worker.ownedPartitions()].sort()).toEqual([0, 1, 2, 3]);

    // Paced so the kill lands mid-stream: about 3 s of publishing.
    const publishing = publish(n, 10_000);
    const aRecords = (): number => a.worker.stats().partitions.reduce((s, p) => s + p.records, 0);
    await waitFor('worker A to be mid-stream with a checkpoint', () => aRecords() > 3000 && a.worker.stats().partitions.some((p) => p.checkpoints > 0), 30000);
    await a.kill();
    const beforeKill = a.worker.stats();
    const pub = await publishing;
    expect(pub.packets).toBe(capture.packets);
    await waitFor('worker B to own every partition', () => b.worker.ownedPartitions().length === 4, 30000);
    await waitFor('worker B to checkpoint every packet', () => caughtUp(b, pub), 60000);

    // A was killed between checkpoints: B resumed its partitions from the checkpointed offsets.
    const bStats = b.worker.stats();
    for (const p of aOwned) {
      const killedAt = beforeKill.partitions.find((x) => x.partition === p)!;
      const took = bStats.partitions.find((x) => x.partition === p)!;
      expect(took.restoredFrom).toBe(killedAt.checkpointedOffset);
      // Every packet ran: what A had done past its checkpoint ran again on B.
      expect(killedAt.records + took.records).toBeGreaterThanOrEqual(pub.perPartition[p]);
      expect(took.records).toBe(pub.perPartition[p] - Math.max(0, killedAt.checkpointedOffset));
    }
    await b.close();

    // Exactly once in state: each VM's baseline profile counted each of its packets once.
    const reader = new RedisStateBackend({ url: redisUrl, namespace: n.name });
    await reader.connect();
    closers.push(() => reader.close());
    const counted: Record<string, number> = {};
    for (let p = 0; p < 4; p++) {
      const cp = await reader.loadCheckpoint(p);
      expect(cp?.offset).toBe(pub.perPartition[p]);
      for (const e of cp?.entries ?? []) if (e.state === 'baseline/baseline') counted[e.key] = (e.value as { profile: { n: number } }).profile.n;
    }
    expect(counted).toEqual(pub.perVm);

    // Outputs: at-least-once, repeats carry the same id; as a set they are the embedded run's.
    const total = (beforeKill.outputs.anomalies ?? 0) + (bStats.outputs.anomalies ?? 0);
    const anomalies = await readTopic<Anomaly>(client, n.anomalies, 'anomalies', total);
    expect(new Set(anomalies.map((x) => x.id))).toEqual(embedded.anomalies);

    // No mitigation job twice: one job per distinct decision id, however often a decision was emitted.
    const decisions = await readTopic<MitigationDecision>(client, n.mitigations, 'mitigations', (beforeKill.outputs.mitigations ?? 0) + (bStats.outputs.mitigations ?? 0), 10000);
    const distinct = new Set(decisions.map((d) => mitigationJobId(d.id)));
    const jobs = await queueJobIds(n);
    expect(jobs.length).toBe(distinct.size);
    expect(new Set(jobs)).toEqual(distinct);
    // A full replay of every decision (as after a crash before any checkpoint) adds no job.
    const again = new MitigationQueueSink({ redisUrl, queueName: n.queue });
    for (const d of decisions) again.write('mitigations', d.vmId, d);
    await again.close();
    expect((await queueJobIds(n)).length).toBe(distinct.size);
  });

  test('repartition channels go through Kafka topics and reach every worker; a full partition pauses its fetches', async () => {
    const { n, plan } = await setup('scopes', ['vm', 'account', 'vnet']);
    // A tiny backlog bound: any fetched batch past 200 records pauses its partition until drained.
    const a = await worker(plan, n, { maxBacklog: 200 });
    const b = await worker(plan, n, { maxBacklog: 200 });
    await waitFor('both workers to own partitions', () => a.worker.ownedPartitions().length > 0 && b.worker.ownedPartitions().length > 0, 30000);
    const pub = await publish(n);
    const both = (): boolean => {
      const s = [...a.worker.stats().partitions, ...b.worker.stats().partitions].filter((x) => x.owned);
      return pub.perPartition.every((count, p) => s.find((x) => x.partition === p)?.checkpointedOffset === count);
    };
    await waitFor('the workers to checkpoint every packet', both, 60000);
    const sent = (): number => a.worker.stats().repartitionSent + b.worker.stats().repartitionSent;
    expect(sent()).toBeGreaterThan(0);
    // Each worker folds every worker's updates (its own and the other's) into its scope profiles.
    await waitFor('every update to reach both workers', () => a.worker.stats().repartitionReceived === sent() && b.worker.stats().repartitionReceived === sent(), 20000);
    const stats = [...a.worker.stats().partitions, ...b.worker.stats().partitions];
    expect(stats.reduce((s, p) => s + p.pauses, 0)).toBeGreaterThan(0);
    // Paused or not, every packet ran once (no rebalance after the split here).
    const records = new Array<number>(4).fill(0);
    for (const p of stats) records[p.partition] += p.records;
    expect(records).toEqual(pub.perPartition);
  });

  // Only a Redis that deploy/local started can be restarted here (not one given by REDIS_URL alone).
  (runDirOf() !== undefined ? test : test.skip)('Redis restarted mid-stream: the worker waits, retries its checkpoint, resumes; nothing lost or doubled', async () => {
    const { n, plan } = await setup('redis-restart');
    // Few command retries, so the outage reaches the worker's own checkpoint retry loop.
    const w = await worker(plan, n, { redisRetries: 1 });
    await waitFor('the worker to own the partitions', () => w.worker.ownedPartitions().length === 4, 30000);
    const publishing = publish(n, 10_000);
    await waitFor('the worker to be mid-stream', () => w.worker.stats().packetsIn > 3000, 30000);
    redisCtl('stop');
    await new Promise((r) => setTimeout(r, 1500));
    redisCtl('start');
    const pub = await publishing;
    await waitFor('the worker to checkpoint every packet', () => {
      // A failed worker never catches up: say why at once rather than after the whole wait.
      if (w.worker.failure !== undefined) throw new Error(`worker failed: ${String(w.worker.failure)}`);
      return caughtUp(w, pub);
    }, 60000, 50,
      () => `published ${JSON.stringify(pub.perPartition)}, worker ${JSON.stringify(w.worker.stats())}, failure: ${String(w.worker.failure)}`);
    const stats = w.worker.stats();
    // The outage reached the checkpoints: a state write failed and was retried, or a checkpoint
    // waited through it (the mitigation queue's flush runs first and waits for Redis to come back).
    expect(stats.checkpointRetries > 0 || stats.longestCheckpointMs >= 1000).toBe(true);
    expect(stats.partitions.map((p) => p.records)).toEqual(pub.perPartition);
    await w.close();
    const reader = new RedisStateBackend({ url: redisUrl, namespace: n.name });
    await reader.connect();
    closers.push(() => reader.close());
    const counted: Record<string, number> = {};
    for (let p = 0; p < 4; p++) {
      const cp = await reader.loadCheckpoint(p);
      for (const e of cp?.entries ?? []) if (e.state === 'baseline/baseline') counted[e.key] = (e.value as { profile: { n: number } }).profile.n;
    }
    expect(counted).toEqual(pub.perVm);
  });
});

function redisCtl(action: 'stop' | 'start'): void {
  const res = spawnSync('bash', [path.join(REPO_ROOT, 'deploy/local/redis.sh'), action], { encoding: 'utf8', timeout: 30000 });
  if (res.status !== 0) throw new Error(`redis.sh ${action} failed: ${res.stderr}`);
}
