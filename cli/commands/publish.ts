/**
 * `prescient publish`: the agent side of distributed mode. Reads a capture, maps packets to VMs
 * with the inventory, and produces Avro PacketEvents keyed by vmId (so Kafka's partitioner puts a
 * VM's packets, and so its state, on one partition). Paced by --rate (packets/s) or --speed
 * (capture-time multiplier); creates the topic with the asked partition count when missing.
 */
import { createTopicCodec } from '../../schemas';
import { PcapSource } from '../../sources/pcap-source';
import { BatchingSender, createKafkaClient, parseBrokers, withConnectBackoff, type ConnectBackoffOptions, type KafkaClient } from '../../sources/kafka';
import { kafkaPartition } from '../../state/key-group';
import { loadTopologyFile } from '../../topology/load';
import { BadArgumentError } from '../errors';
import { kafkaConnection, type KafkaCliOptions } from '../kafka-options';

/** KafkaCliOptions: --kafka-client kafkajs|platformatic (platformatic: its faster producer) and TLS/SASL. */
export interface PublishOptions extends KafkaCliOptions {
  pcap: string;
  inventory?: string;
  /** Packets per second (mutually exclusive with speed). */
  rate?: number;
  /** Replay at this multiple of capture time (1 = real time). */
  speed?: number;
  /** Default: the topology's source.topic, else 'packets'. */
  topic?: string;
  /** Partitions of the topic when created (default: the topology's, else 4); an existing topic keeps its own. */
  partitions?: number;
  /** A topology file to take the topic and partition count from. */
  topology?: string;
  /** Default $KAFKA_BROKERS. */
  brokers?: string;
  /** Stop after this many packets. */
  maxPackets?: number;
  /** Progress lines (stderr) about every this many ms; 0 = none. Default 1000. */
  progressEveryMs?: number;
  progressOut?: { write(s: string): unknown };
  /** A client to reuse (tests); default one from brokers. */
  client?: KafkaClient;
  /** Records per produce request (default 1000). */
  batchSize?: number;
  /** Attempts to reach the brokers before giving up (default 5), with exponential backoff. */
  connectAttempts?: number;
  /** First backoff delay in ms (default 1000), doubling up to 15 s. */
  connectBackoffMs?: number;
}

export interface PublishResult {
  topic: string;
  packets: number;
  /** Packets sent per partition. */
  perPartition: number[];
  /** Packets sent per VM. */
  perVm: Record<string, number>;
  skipped: Record<string, number>;
  createdTopic: boolean;
  wallMs: number;
}

/**
 * Records per produce request. kafkajs groups a request's records per partition in quadratic
 * time and its per-record cost dominates past ~1000, so larger batches buy little (measured in
 * benchmarks/publish-rate.ts); the pipeline (next batch encoded while one is on the wire) does.
 */
const SEND_BATCH = 1000;
/** Pacing granularity: a packet due this far ahead is waited for (finer sleeps cost more than they smooth). */
const PACE_SLICE_MS = 2;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function brokersOf(o: PublishOptions): string[] {
  const list = o.brokers ?? process.env.KAFKA_BROKERS;
  if (list === undefined || list === '') throw new BadArgumentError('no Kafka brokers: pass --brokers host:port or set KAFKA_BROKERS');
  try {
    return parseBrokers(list);
  } catch (e) {
    throw new BadArgumentError(`--brokers: ${(e as Error).message}`);
  }
}

function newClient(o: PublishOptions): KafkaClient {
  const { kind, security } = kafkaConnection(o);
  return createKafkaClient(kind, { brokers: brokersOf(o), clientId: 'prescient-publish', security });
}

export async function publishCommand(o: PublishOptions): Promise<PublishResult> {
  if (o.rate !== undefined && o.speed !== undefined) throw new BadArgumentError('--rate and --speed cannot be used together');
  if (o.rate !== undefined && !(o.rate > 0)) throw new BadArgumentError(`--rate must be positive, got ${o.rate}`);
  if (o.speed !== undefined && !(o.speed > 0)) throw new BadArgumentError(`--speed must be positive, got ${o.speed}`);
  const t = o.topology === undefined ? undefined : loadTopologyFile(o.topology);
  const configured = t !== undefined && t.source.kind === 'kafka' && typeof t.source.topic === 'string' ? t.source.topic : undefined;
  const topic = o.topic ?? configured ?? 'packets';
  const wantPartitions = o.partitions ?? t?.partitions ?? 4;
  // Bad input (missing capture, broken inventory) is refused before any broker is contacted.
  // Bad Kafka settings (TLS without a CA, ...) are refused here too; creating a client contacts no broker.
  const client = o.client ?? newClient(o);
  const source = new PcapSource({ path: o.pcap, inventory: o.inventory });

  const out = o.progressOut ?? process.stderr;
  const backoff: ConnectBackoffOptions = {
    attempts: o.connectAttempts,
    initialDelayMs: o.connectBackoffMs,
    onRetry: (r) => {
      out.write(`prescient publish: ${r.error.message}; attempt ${r.attempt}/${r.attempts}, retrying in ${r.delayMs} ms\n`);
    },
  };
  const { created, partitions } = await withConnectBackoff('connect to brokers', async () => {
    const admin = client.admin();
    await admin.connect();
    try {
      const made = await admin.createTopics([{ topic, partitions: wantPartitions }]);
      return { created: made, partitions: await admin.partitionCount(topic) };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }, backoff).catch(async (e: unknown) => {
    await source.close();
    throw e;
  });

  const producer = client.producer({ idempotent: true });
  await withConnectBackoff('producer connect', () => producer.connect(), backoff).catch(async (e: unknown) => {
    await source.close();
    throw e;
  });
  const codec = createTopicCodec('packets');
  const perPartition = new Array<number>(partitions).fill(0);
  const perVm: Record<string, number> = {};
  const every = o.progressEveryMs ?? 1000;
  const sender = new BatchingSender(producer, o.batchSize ?? SEND_BATCH);
  const max = o.maxPackets ?? Infinity;
  const rate = o.rate;
  const speed = o.speed;
  const t0 = Date.now();
  let lastProgress = t0;
  let queued = 0;
  let firstTsUs = -1;
  /** The schedule starts at the first packet (not before the capture was opened). */
  let paceT0 = t0;
  /** Last elapsed time read (ms since paceT0): a packet due before it needs no clock read. */
  let elapsedMs = 0;
  try {
    outer: for await (const batch of source.batches()) {
      for (const p of batch) {
        if (queued >= max) break outer;
        if (firstTsUs < 0) {
          firstTsUs = p.tsUs;
          paceT0 = Date.now();
        }
        // Pacing: each packet is due at its rate slot or at its capture time / speed.
        const dueMs = rate !== undefined ? (queued * 1000) / rate : speed !== undefined ? (p.tsUs - firstTsUs) / 1000 / speed : 0;
        if (dueMs > elapsedMs) {
          elapsedMs = Date.now() - paceT0;
          if (dueMs - elapsedMs >= PACE_SLICE_MS) {
            // Ahead of schedule: what is buffered goes out now, then wait for this packet's time.
            sender.sendNow();
            await sleep(dueMs - elapsedMs);
            elapsedMs = Date.now() - paceT0;
          }
        }
        const partition = kafkaPartition(p.vmId, partitions);
        sender.add(topic, { key: p.vmId, value: codec.encode(p), partition });
        perPartition[partition]++;
        perVm[p.vmId] = (perVm[p.vmId] ?? 0) + 1;
        queued++;
        if (sender.saturated) await sender.ready();
      }
      if (every > 0) {
        const now = Date.now();
        if (now - lastProgress >= every) {
          lastProgress = now;
          const acked = sender.sent;
          out.write(`published ${acked.toLocaleString('en-US')} packets (${Math.round((acked * 1000) / Math.max(1, now - t0)).toLocaleString('en-US')}/s) to ${topic}\n`);
        }
      }
      // Paced: a partial batch must not wait for a full one (it would burst later).
      if (rate !== undefined || speed !== undefined) sender.sendNow();
    }
    await sender.flush();
  } finally {
    await producer.disconnect();
    await source.close();
  }
  const sent = sender.sent;
  const wallMs = Date.now() - t0;
  if (every > 0) out.write(`published ${sent.toLocaleString('en-US')} packets to ${topic} (${partitions} partitions) in ${(wallMs / 1000).toFixed(1)} s\n`);
  return { topic, packets: sent, perPartition, perVm, skipped: source.stats().skipped, createdTopic: created.length > 0, wallMs };
}
