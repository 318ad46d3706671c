/**
 * Child-process producer for test/integration/platformatic-producer.test.ts: @platformatic/kafka is
 * ESM-only and jest's module system cannot load it, so the suite runs this with
 * `node -r ts-require-hook.js` (plain Node loads it). Produces `count` PacketEvents keyed by vmId
 * with NO explicit partition (the client's murmur2 partitioner decides), then prints `{"sent":n}`.
 *   node -r ./test/integration/helpers/ts-require-hook.js platformatic-produce.ts BROKERS TOPIC COUNT
 */
import { createTopicCodec } from '../../../schemas';
import { PlatformaticClient } from '../../../sources/kafka';
import { samplePacket } from './platformatic-sample';

async function main(): Promise<void> {
  const [brokers, topic, count] = process.argv.slice(2);
  const client = new PlatformaticClient({ brokers: brokers.split(','), clientId: 'it-platformatic-produce' });
  const producer = client.producer({ idempotent: true });
  await producer.connect();
  const codec = createTopicCodec('packets');
  const n = Number(count);
  const records = [];
  for (let i = 0; i < n; i++) {
    const p = samplePacket(i);
    records.push({ key: p.vmId, value: codec.encode(p), headers: { source: 'platformatic' } });
  }
  // Two sends: the second reuses the idempotent producer id and sequence numbers.
  await producer.send([{ topic, records: records.slice(0, n >> 1) }]);
  await producer.send([{ topic, records: records.slice(n >> 1) }]);
  await producer.disconnect();
  process.stdout.write(`${JSON.stringify({ sent: n })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
