/**
 * `prescient publish` throughput over real Kafka, side by side in one run: the old loop (500
 * records per send, each send awaited before the next is built) against publishCommand (batched,
 * pipelined through BatchingSender, partitions computed once), unpaced; then --rate accuracy.
 * Not a test: prints one JSON line per case.
 * With --clients kafkajs,platformatic: only publishCommand, once per client library per round
 * (alternating, so a shared machine's drift hits both), with the producing process's CPU per packet.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 node dist/benchmarks/publish-rate.js --pcap cap.pcap --inventory inv.csv \
 *     [--rounds 2] [--batches 500,2000] [--rate 20000] [--clients kafkajs,platformatic]
 */
import { publishCommand } from '../cli/commands/publish';
import { createTopicCodec } from '../schemas';
import { createKafkaClient, KafkajsClient, parseBrokers, parseKafkaClientKind, type KafkaClient, type KafkaClientKind, type OutgoingRecord } from '../sources/kafka';
import { PcapSource } from '../sources/pcap-source';

interface Case {
  name: string;
  packets: number;
  wallMs: number;
  perSec: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function createTopic(client: KafkaClient, topic: string): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions: 4 }]);
  } finally {
    await admin.disconnect();
  }
}

/** The publish loop before this change, kept as the baseline: sequential sends of 500. */
async function sequentialPublish(client: KafkaClient, pcap: string, inventory: string | undefined, topic: string): Promise<Case> {
  await createTopic(client, topic);
  const producer = client.producer({ idempotent: true });
  await producer.connect();
  const codec = createTopicCodec('packets');
  const source = new PcapSource({ path: pcap, inventory });
  const t0 = Date.now();
  let sent = 0;
  let chunk: OutgoingRecord[] = [];
  for await (const batch of source.batches()) {
    for (const p of batch) {
      chunk.push({ key: p.vmId, value: codec.encode(p) });
      if (chunk.length >= 500) {
        await producer.send([{ topic, records: chunk }]);
        sent += chunk.length;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) await producer.send([{ topic, records: chunk }]);
  sent += chunk.length;
  const wallMs = Date.now() - t0;
  await producer.disconnect();
  await source.close();
  return { name: 'sequential-500 (before)', packets: sent, wallMs, perSec: Math.round((sent * 1000) / wallMs) };
}

async function pipelined(client: KafkaClient, pcap: string, inventory: string | undefined, topic: string, rate?: number, batchSize?: number): Promise<Case> {
  const r = await publishCommand({ pcap, inventory, topic, client, rate, batchSize, progressEveryMs: 0 });
  const label = `publishCommand batch=${batchSize ?? 'default'}${rate === undefined ? '' : ` --rate ${rate}`}`;
  return { name: label, packets: r.packets, wallMs: r.wallMs, perSec: Math.round((r.packets * 1000) / r.wallMs) };
}

/** publishCommand through each client library, side by side, with CPU µs per packet of this process. */
async function compareClients(kinds: KafkaClientKind[], pcap: string, inventory: string | undefined, rounds: number, batchSize: number | undefined): Promise<void> {
  const brokers = parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
  const tag = Date.now().toString(36);
  for (let i = 0; i < rounds; i++) {
    // Alternate the order per round: the first case of a round pays for a cold page cache and JIT.
    const order = i % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      const client = createKafkaClient(kind, { brokers, clientId: `bench-publish-${kind}` });
      const cpu0 = process.cpuUsage();
      const r = await publishCommand({ pcap, inventory, topic: `bench-client-${kind}-${tag}-${i}`, client, batchSize, progressEveryMs: 0 });
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(`${JSON.stringify({
        round: i, client: kind, batch: batchSize ?? 'default', packets: r.packets, wallMs: r.wallMs,
        perSec: Math.round((r.packets * 1000) / r.wallMs), cpuUsPerPacket: +((cpu.user + cpu.system) / r.packets).toFixed(2),
      })}\n`);
    }
  }
}

async function main(): Promise<void> {
  const pcap = arg('pcap');
  if (pcap === undefined) throw new Error('--pcap <file> is required');
  const inventory = arg('inventory');
  const rounds = Number(arg('rounds') ?? 2);
  const clients = arg('clients');
  if (clients !== undefined) {
    const batch = arg('batches') === undefined ? undefined : Number(arg('batches'));
    await compareClients(clients.split(',').map((c) => parseKafkaClientKind(c.trim())), pcap, inventory, rounds, batch);
    return;
  }
  const rate = arg('rate') === undefined ? undefined : Number(arg('rate'));
  const sizes = (arg('batches') ?? '500,2000').split(',').map(Number);
  const client = new KafkajsClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), clientId: 'bench-publish' });
  const tag = Date.now().toString(36);
  // Alternated so drift of a shared machine hits both sides alike.
  for (let i = 0; i < rounds; i++) {
    const seq = await sequentialPublish(client, pcap, inventory, `bench-seq-${tag}-${i}`);
    process.stdout.write(`${JSON.stringify({ round: i, ...seq })}\n`);
    for (const size of sizes) {
      const c = await pipelined(client, pcap, inventory, `bench-pipe${size}-${tag}-${i}`, undefined, size);
      process.stdout.write(`${JSON.stringify({ round: i, ...c, cpuMs: Math.round(process.cpuUsage().user / 1000) })}\n`);
    }
  }
  if (rate !== undefined) {
    const c = await pipelined(client, pcap, inventory, `bench-rate-${tag}`, rate);
    process.stdout.write(`${JSON.stringify({ ...c, asked: rate, error: `${(((c.perSec - rate) / rate) * 100).toFixed(1)}%` })}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
