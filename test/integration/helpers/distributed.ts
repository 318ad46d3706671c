/**
 * Fixtures of the distributed-mode suites: a synthetic capture, a kafka-sourced topology on
 * unique topics, workers wired like `prescient worker`, the embedded run of the same capture for
 * comparison, and readers of the output topics and the mitigation queue.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateToPcap } from '../../../sources';
import { demoAttackPlan } from '../../../cli/source-factory';
import { createTopicCodec, type Anomaly, type MitigationDecision } from '../../../schemas';
import { PcapSource } from '../../../sources/pcap-source';
import type { KafkaClient } from '../../../sources/kafka';
import { FanOutSink, KafkaStreamSink, type StreamSink } from '../../../sinks';
import { MitigationQueueSink } from '../../../sinks/bullmq';
import { MemoryStateBackend, RedisStateBackend } from '../../../state';
import { KafkaWorker, loadTopologyFile, planTopology, runTopology, silentLogger, type TopologyPlan } from '../../../topology';

export const REPO = resolve(__dirname, '../../..');

export interface Capture {
  dir: string;
  pcap: string;
  inventory: string;
  packets: number;
}

export async function syntheticCapture(vms: number, durationSec: number, seed = 5): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-dist-'));
  const r = await generateToPcap({ seed, vmCount: vms, durationSec, attacks: demoAttackPlan(durationSec) }, dir);
  return { dir, pcap: r.pcapPath, inventory: r.inventoryPath, packets: r.packets };
}

export interface Names {
  name: string;
  packets: string;
  deadLetters: string;
  anomalies: string;
  mitigations: string;
  forensics: string;
  queue: string;
  group: string;
}

export function names(name: string): Names {
  return {
    name,
    packets: `${name}-packets`,
    deadLetters: `${name}-dlq`,
    anomalies: `${name}-anomalies`,
    mitigations: `${name}-mitigations`,
    forensics: `${name}-forensics`,
    queue: `${name}-mitigation`,
    group: `${name}-workers`,
  };
}

/** The default chain; baseline scopes are a parameter (account/vnet use the repartition channels). */
export function writeTopology(dir: string, n: Names, redisUrl: string, scopes: string[] = ['vm']): TopologyPlan {
  const file = join(dir, `${n.name}.yaml`);
  writeFileSync(file, [
    `name: ${n.name}`,
    `source: { kind: kafka, topic: ${n.packets} }`,
    'partitions: 4',
    'operators:',
    '  - { use: window, size: 1s, slide: 250ms }',
    '  - { use: entropy }',
    `  - { use: baseline, scopes: [${scopes.join(', ')}] }`,
    '  - { use: score }',
    `  - { use: mitigate, policy: ${join(REPO, 'policies/default.yaml')} }`,
    'sinks: [anomalies, mitigations, forensics]',
    `state: { backend: redis, url: '${redisUrl}', checkpointEvery: 200ms }`,
    'runtime: { mailboxCapacity: 1024, chunkSize: 256, maxOutOfOrderness: 2s }',
    '',
  ].join('\n'));
  return planTopology(loadTopologyFile(file));
}

export async function createTopics(client: KafkaClient, n: Names): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics([
      { topic: n.packets, partitions: 4 },
      { topic: n.deadLetters, partitions: 1 },
      { topic: n.anomalies, partitions: 4 },
      { topic: n.mitigations, partitions: 4 },
      { topic: n.forensics, partitions: 4 },
    ]);
  } finally {
    await admin.disconnect();
  }
}

export interface TestWorker {
  worker: KafkaWorker;
  backend: RedisStateBackend;
  close(): Promise<void>;
  kill(): Promise<void>;
}

/** A worker wired like `prescient worker` (Kafka output topics + BullMQ queue), on the test's names. */
export interface WorkerKnobs {
  maxBacklog?: number;
  /** Redis command retries before a checkpoint fails (the worker then retries the checkpoint). */
  redisRetries?: number;
}

export async function startWorker(client: KafkaClient, plan: TopologyPlan, n: Names, redisUrl: string, knobs: WorkerKnobs = {}): Promise<TestWorker> {
  const { maxBacklog, redisRetries } = knobs;
  const backend = new RedisStateBackend({ url: redisUrl, namespace: n.name, maxRetriesPerRequest: redisRetries });
  await backend.connect();
  const kafkaSink = new KafkaStreamSink(client, { topics: { anomalies: n.anomalies, mitigations: n.mitigations, forensics: n.forensics } });
  await kafkaSink.connect();
  const queueSink = new MitigationQueueSink({ redisUrl, queueName: n.queue });
  const sinks: Record<string, StreamSink> = { anomalies: kafkaSink, forensics: kafkaSink, mitigations: new FanOutSink([kafkaSink, queueSink]) };
  const worker = new KafkaWorker(plan, { client, stateBackend: backend, sinks, groupId: n.group, topic: n.packets, deadLetterTopic: n.deadLetters, logger: silentLogger(), maxBacklog });
  await worker.start();
  let done = false;
  const release = async (): Promise<void> => {
    await kafkaSink.close().catch(() => undefined);
    await queueSink.close().catch(() => undefined);
    await backend.close();
  };
  return {
    worker,
    backend,
    close: async () => {
      if (done) return;
      done = true;
      await worker.stop();
      await release();
    },
    kill: async () => {
      if (done) return;
      done = true;
      await worker.kill();
      await release();
    },
  };
}

export interface EmbeddedOutputs {
  anomalies: Set<string>;
  decisions: MitigationDecision[];
}

/** The same topology and capture on the embedded runtime (memory state). */
export async function embeddedRun(plan: TopologyPlan, capture: Capture): Promise<EmbeddedOutputs> {
  const anomalies = new Set<string>();
  const decisions: MitigationDecision[] = [];
  const collect: StreamSink = {
    write: (stream, _key, value) => {
      if (stream === 'anomalies') anomalies.add((value as Anomaly).id);
      if (stream === 'mitigations') decisions.push({ ...(value as MitigationDecision) });
    },
    flush: async () => undefined,
    close: async () => undefined,
  };
  await runTopology(plan, {
    source: new PcapSource({ path: capture.pcap, inventory: capture.inventory }),
    sinks: { anomalies: collect, mitigations: collect },
    stateBackend: new MemoryStateBackend(),
    logger: silentLogger(),
  });
  return { anomalies, decisions };
}

/** Reads a whole output topic (from the beginning) until `expected` records arrived, then decodes them. */
export async function readTopic<T>(client: KafkaClient, topic: string, codecTopic: 'anomalies' | 'mitigations', expected: number, timeoutMs = 30000): Promise<T[]> {
  const codec = createTopicCodec(codecTopic);
  const out: T[] = [];
  const consumer = client.consumer({ groupId: `${topic}-reader-${Date.now()}`, startFrom: 'earliest' });
  await consumer.connect();
  await consumer.subscribe([topic]);
  await consumer.run({
    eachBatch: async (b) => {
      for (const r of b.records) if (r.value !== null) out.push(codec.decode(r.value) as T);
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (out.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return out;
}
