/**
 * Issue 4's client comparison: kafkajs 2.2.4 against @platformatic/kafka 1.35 (a dev dependency),
 * producing and then consuming the same Avro PacketEvent records keyed by vmId, side by side in one
 * run against one broker, interleaved (A B A B) so a drift of the shared machine hits both.
 * Writes benchmarks/results/kafka-clients-<date>.{json,md}.
 *
 *   npm run build && KAFKA_BROKERS=127.0.0.1:9092 node dist/benchmarks/kafka-clients.js [--records 100000] [--rounds 2]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createTopicCodec } from '../schemas';
import { generateEvents } from '../sources/synthetic';

interface Row {
  client: string;
  round: number;
  records: number;
  produceMs: number;
  producePerSec: number;
  consumeMs: number;
  consumePerSec: number;
}

interface Msg {
  key: string;
  value: Buffer;
}

const BATCH = 500;
const IN_FLIGHT = 8;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function pipelined(batches: Msg[][], send: (b: Msg[]) => Promise<unknown>): Promise<void> {
  const inFlight: Array<Promise<unknown>> = [];
  for (const b of batches) {
    inFlight.push(send(b));
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

async function runKafkajs(brokers: string[], topic: string, batches: Msg[][], n: number, decode: (b: Buffer) => unknown): Promise<{ produceMs: number; consumeMs: number }> {
  const kafka = new Kafka({ clientId: 'clients-bench-kafkajs', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = performance.now();
  await pipelined(batches, (b) => producer.send({ topic, acks: -1, messages: b }));
  const produceMs = performance.now() - t0;
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  let t1 = 0;
  const done = new Promise<void>((res) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (t1 === 0) t1 = performance.now();
        for (const m of batch.messages) if (m.value !== null) decode(m.value);
        got += batch.messages.length;
        if (got >= n) res();
      },
    });
  });
  const c0 = performance.now();
  await done;
  const consumeMs = performance.now() - c0;
  await consumer.disconnect();
  return { produceMs, consumeMs };
}

async function runPlatformatic(brokers: string[], topic: string, batches: Msg[][], n: number, decode: (b: Buffer) => unknown): Promise<{ produceMs: number; consumeMs: number }> {
  // Loaded lazily: it is only a dev dependency.
  const pk = await import('@platformatic/kafka');
  const admin = new pk.Admin({ clientId: 'clients-bench-platformatic', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
  await admin.close();
  // No serializers: keys and values go as the Buffers given (the Avro bytes, as with kafkajs).
  const producer = new pk.Producer<Buffer, Buffer, Buffer, Buffer>({ clientId: 'clients-bench-platformatic', bootstrapBrokers: brokers, acks: -1, idempotent: false });
  const t0 = performance.now();
  await pipelined(batches, (b) => producer.send({ messages: b.map((m) => ({ topic, key: Buffer.from(m.key), value: m.value })) }));
  const produceMs = performance.now() - t0;
  await producer.close();
  const consumer = new pk.Consumer<Buffer, Buffer, Buffer, Buffer>({ clientId: 'clients-bench-platformatic', groupId: `${topic}-g`, bootstrapBrokers: brokers, maxWaitTime: 100 });
  const c0 = performance.now();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let got = 0;
  for await (const m of stream) {
    decode(m.value);
    if (++got >= n) break;
  }
  const consumeMs = performance.now() - c0;
  await stream.close().catch(() => undefined);
  await consumer.close(true);
  return { produceMs, consumeMs };
}

async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? arg('brokers', '')).split(',').filter((s) => s !== '');
  if (brokers.length === 0) throw new Error('set KAFKA_BROKERS or pass --brokers host:port');
  const n = Number(arg('records', '100000'));
  const rounds = Number(arg('rounds', '2'));
  const codec = createTopicCodec('packets');
  const { events } = generateEvents({ seed: 7, vmCount: 200, accounts: 10, vnetsPerAccount: 4, durationSec: Math.ceil(n / 4000) + 10, rateScale: 2, attacks: [] }, n);
  const msgs: Msg[] = events.map((e) => ({ key: e.vmId, value: codec.encode(e) }));
  const batches: Msg[][] = [];
  for (let i = 0; i < msgs.length; i += BATCH) batches.push(msgs.slice(i, i + BATCH));
  const decode = (b: Buffer): unknown => codec.decode(b);
  const rows: Row[] = [];
  const stamp = Date.now().toString(36);
  for (let r = 1; r <= rounds; r++) {
    for (const [client, fn] of [['kafkajs 2.2.4', runKafkajs], ['@platformatic/kafka 1.35', runPlatformatic]] as const) {
      process.stderr.write(`round ${r}: ${client} ...\n`);
      const topic = `clients-${client.startsWith('kafkajs') ? 'kafkajs' : 'platformatic'}-${stamp}-${r}`;
      const t = await fn(brokers, topic, batches, msgs.length, decode);
      rows.push({ client, round: r, records: msgs.length, produceMs: t.produceMs, producePerSec: (msgs.length * 1000) / t.produceMs, consumeMs: t.consumeMs, consumePerSec: (msgs.length * 1000) / t.consumeMs });
    }
  }
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), loadAvg: loadavg().map((x) => x.toFixed(2)).join(' / '), node: process.version };
  const dir = resolve(__dirname, '..', '..', 'benchmarks', 'results');
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `kafka-clients-${date.slice(0, 10)}`);
  writeFileSync(`${stem}.json`, JSON.stringify({ benchmark: 'kafka-clients', date, machine, brokers, batch: BATCH, inFlight: IN_FLIGHT, rows }, null, 2));
  const md = [
    `# Kafka clients side by side, ${date}`,
    '',
    `${machine.cpus} x ${machine.cpuModel}, ${machine.memGiB} GiB, load average ${machine.loadAvg} (machine shared with other engineers), Node ${machine.node}. One local broker (deploy/local). ${msgs.length} Avro PacketEvents keyed by vmId, 4 partitions; produce: batches of ${BATCH}, ${IN_FLIGHT} in flight, acks all; consume: one group member from the earliest offset, every record Avro-decoded.`,
    '',
    '| client | round | produce records/s | consume records/s |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.client} | ${r.round} | ${Math.round(r.producePerSec).toLocaleString('en-US')} | ${Math.round(r.consumePerSec).toLocaleString('en-US')} |`),
    '',
  ].join('\n');
  writeFileSync(`${stem}.md`, md);
  process.stdout.write(md + `\nwritten ${stem}.json and .md\n`);
}

main().catch((err) => {
  process.stderr.write(`kafka-clients benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
