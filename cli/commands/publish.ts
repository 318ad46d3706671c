/**
 * `prescient publish`: the agent side of distributed mode. Reads a capture, maps packets to VMs
 * with the inventory, and produces Avro PacketEvents keyed by vmId (so Kafka's partitioner puts a
 * VM's packets, and so its state, on one partition). Paced by --rate (packets/s) or --speed
 * (capture-time multiplier); creates the topic with the asked partition count when missing.
 */
import { createTopicCodec } from '../../schemas';
import { PcapSource } from '../../sources/pcap-source';
import { KafkajsClient, parseBrokers, type KafkaClient, type OutgoingRecord } from '../../sources/kafka';
import { kafkaPartition } from '../../state/key-group';
import { loadTopologyFile } from '../../topology/load';
import { BadArgumentError } from '../errors';

export interface PublishOptions {
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

/** Records per produce request: big enough for throughput, small enough for smooth pacing. */
const SEND_CHUNK = 500;

function brokersOf(o: PublishOptions): string[] {
  const list = o.brokers ?? process.env.KAFKA_BROKERS;
  if (list === undefined || list === '') throw new BadArgumentError('no Kafka brokers: pass --brokers host:port or set KAFKA_BROKERS');
  try {
    return parseBrokers(list);
  } catch (e) {
    throw new BadArgumentError(`--brokers: ${(e as Error).message}`);
  }
}

export async function publishCommand(o: PublishOptions): Promise<PublishResult> {
  if (o.rate !== undefined && o.speed !== undefined) throw new BadArgumentError('--rate and --speed cannot be used together');
  if (o.rate !== undefined && !(o.rate > 0)) throw new BadArgumentError(`--rate must be positive, got ${o.rate}`);
  if (o.speed !== undefined && !(o.speed > 0)) throw new BadArgumentError(`--speed must be positive, got ${o.speed}`);
  const t = o.topology === undefined ? undefined : loadTopologyFile(o.topology);
  const configured = t !== undefined && t.source.kind === 'kafka' && typeof t.source.topic === 'string' ? t.source.topic : undefined;
  const topic = o.topic ?? configured ?? 'packets';
  const wantPartitions = o.partitions ?? t?.partitions ?? 4;
  const source = new PcapSource({ path: o.pcap, inventory: o.inventory });
  const client = o.client ?? new KafkajsClient({ brokers: brokersOf(o), clientId: 'prescient-publish' });

  const admin = client.admin();
  await admin.connect();
  let partitions: number;
  let created: string[];
  try {
    created = await admin.createTopics([{ topic, partitions: wantPartitions }]);
    partitions = await admin.partitionCount(topic);
  } finally {
    await admin.disconnect();
  }

  const producer = client.producer({ idempotent: true });
  await producer.connect();
  const codec = createTopicCodec('packets');
  const perPartition = new Array<number>(partitions).fill(0);
  const perVm: Record<string, number> = {};
  const out = o.progressOut ?? process.stderr;
  const every = o.progressEveryMs ?? 1000;
  const t0 = Date.now();
  let lastProgress = t0;
  let sent = 0;
  let firstTsUs = -1;
  const max = o.maxPackets ?? Infinity;
  try {
    let chunk: OutgoingRecord[] = [];
    let chunkFirstTs = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      // Pacing: the chunk's first packet is due at its rate slot, or at its capture time / speed.
      const dueMs = o.rate !== undefined ? (sent * 1000) / o.rate : o.speed !== undefined ? (chunkFirstTs - firstTsUs) / 1000 / o.speed : 0;
      const wait = t0 + dueMs - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      await producer.send([{ topic, records: chunk }]);
      sent += chunk.length;
      chunk = [];
      const now = Date.now();
      if (every > 0 && now - lastProgress >= every) {
        lastProgress = now;
        out.write(`published ${sent.toLocaleString('en-US')} packets (${Math.round((sent * 1000) / Math.max(1, now - t0)).toLocaleString('en-US')}/s) to ${topic}\n`);
      }
    };
    // With pacing, a chunk must not span more than ~20 ms of its schedule or it bursts.
    const chunkLimit = o.rate !== undefined ? Math.max(1, Math.min(SEND_CHUNK, Math.floor(o.rate / 50))) : SEND_CHUNK;
    outer: for await (const batch of source.batches()) {
      for (const p of batch) {
        if (sent + chunk.length >= max) break outer;
        if (firstTsUs < 0) firstTsUs = p.tsUs;
        if (chunk.length === 0) chunkFirstTs = p.tsUs;
        if (o.speed !== undefined && chunk.length > 0 && (p.tsUs - chunkFirstTs) / o.speed > 20_000) {
          await flush();
          chunkFirstTs = p.tsUs;
        }
        chunk.push({ key: p.vmId, value: codec.encode(p) });
        perPartition[kafkaPartition(p.vmId, partitions)]++;
        perVm[p.vmId] = (perVm[p.vmId] ?? 0) + 1;
        if (chunk.length >= chunkLimit) await flush();
      }
    }
    await flush();
  } finally {
    await producer.disconnect();
    await source.close();
  }
  const wallMs = Date.now() - t0;
  if (every > 0) out.write(`published ${sent.toLocaleString('en-US')} packets to ${topic} (${partitions} partitions) in ${(wallMs / 1000).toFixed(1)} s\n`);
  return { topic, packets: sent, perPartition, perVm, skipped: source.stats().skipped, createdTopic: created.length > 0, wallMs };
}
