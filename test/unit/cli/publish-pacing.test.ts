/**
 * `prescient publish` over a stand-in broker (no Kafka): sends are pipelined one at a time and
 * batched, --rate and --speed hold their schedule, progress is printed, and every packet is
 * counted once per partition and per VM.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishCommand } from '../../../cli/commands/publish';
import { createTopicCodec } from '../../../schemas';
import { generateToPcap } from '../../../sources';
import type { KafkaAdmin, KafkaClient, KafkaConsumer, KafkaProducer, OutgoingRecord } from '../../../sources/kafka';
import { kafkaPartition } from '../../../state/key-group';

/** Acknowledges each send after `delayMs`, like a broker round trip; records what it got. */
class StandInBroker implements KafkaClient {
  readonly brokers = ['stand-in:9092'];
  readonly sends: Array<{ atMs: number; records: OutgoingRecord[] }> = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly delayMs: number) {}
  admin(): KafkaAdmin {
    return {
      connect: async () => undefined,
      createTopics: async (specs) => specs.map((s) => s.topic),
      listTopics: async () => [],
      partitionCount: async () => 4,
      committedOffsets: async () => new Map(),
      deleteTopics: async () => undefined,
      disconnect: async () => undefined,
    };
  }
  producer(): KafkaProducer {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (batches) => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        this.sends.push({ atMs: Date.now(), records: batches.flatMap((b) => b.records) });
        await new Promise((r) => setTimeout(r, this.delayMs));
        this.inFlight--;
      },
    };
  }
  consumer(): KafkaConsumer {
    throw new Error('not used');
  }
}

let pcap: string;
let inventory: string;
let packets: number;
let spanUs: number;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-publish-'));
  const r = await generateToPcap({ seed: 3, vmCount: 32, durationSec: 3 }, dir);
  pcap = r.pcapPath;
  inventory = r.inventoryPath;
  packets = r.packets;
  // The capture's own time span, for --speed.
  const codec = createTopicCodec('packets');
  const probe = new StandInBroker(0);
  await publishCommand({ pcap, inventory, client: probe, progressEveryMs: 0 });
  const ts = probe.sends.flatMap((s) => s.records.map((x) => codec.decode(x.value).tsUs));
  spanUs = Math.max(...ts) - Math.min(...ts);
});

test('unpaced: batched, one send on the wire at a time, every packet once with its partition', async () => {
  const broker = new StandInBroker(3);
  const lines: string[] = [];
  const r = await publishCommand({ pcap, inventory, client: broker, batchSize: 500, progressEveryMs: 1, progressOut: { write: (s: string) => lines.push(s) } });
  expect(r.packets).toBe(packets);
  expect(broker.maxInFlight).toBe(1);
  const all = broker.sends.flatMap((s) => s.records);
  expect(all).toHaveLength(packets);
  // Fewer, fuller sends than records: batching, with batches that grew while one was on the wire.
  expect(broker.sends.length).toBeLessThan(packets / 100);
  for (const x of all) expect(x.partition).toBe(kafkaPartition(x.key as string, 4));
  expect(r.perPartition.reduce((a, b) => a + b, 0)).toBe(packets);
  expect(Object.values(r.perVm).reduce((a, b) => a + b, 0)).toBe(packets);
  expect(lines.some((l) => /^published [\d,]+ packets \([\d,]+\/s\)/.test(l))).toBe(true);
  expect(lines[lines.length - 1]).toMatch(new RegExp(`published ${packets.toLocaleString('en-US')} packets .* in [\\d.]+ s`));
});

test('--rate holds the asked packets/s, evenly', async () => {
  const broker = new StandInBroker(2);
  const n = Math.min(packets, 2400);
  expect(n).toBeGreaterThan(1000);
  const rate = 6000;
  const r = await publishCommand({ pcap, inventory, client: broker, rate, maxPackets: n, progressEveryMs: 0 });
  expect(r.packets).toBe(n);
  const expectedMs = (n * 1000) / rate;
  // Never faster than asked; late timers on a busy machine may stretch it a little.
  expect(r.wallMs).toBeGreaterThanOrEqual(expectedMs * 0.95);
  expect(r.wallMs).toBeLessThan(expectedMs * 1.6);
  // Evenly: never ahead of the schedule (no bursts), and not far behind it at mid-run.
  const t0 = broker.sends[0].atMs;
  const sends = broker.sends;
  let worst = 0;
  for (let i = 0; i < sends.length; i++) {
    let between = 0;
    for (let j = i + 1; j < sends.length; j++) {
      between += sends[j].records.length;
      // Records handed over in (send i, send j] against what the schedule allows in that time.
      worst = Math.max(worst, between - (rate * (sends[j].atMs - sends[i].atMs)) / 1000);
    }
  }
  expect(worst).toBeLessThanOrEqual(rate * 0.01 + 2);
  const byMid = broker.sends.filter((s) => s.atMs - t0 <= expectedMs / 2).reduce((a, s) => a + s.records.length, 0);
  expect(byMid / n).toBeGreaterThan(0.35);
});

test('--speed replays at the asked multiple of capture time', async () => {
  const broker = new StandInBroker(2);
  const speed = 6;
  const r = await publishCommand({ pcap, inventory, client: broker, speed, progressEveryMs: 0 });
  expect(r.packets).toBe(packets);
  const expectedMs = spanUs / 1000 / speed;
  expect(expectedMs).toBeGreaterThan(300);
  expect(r.wallMs).toBeGreaterThanOrEqual(expectedMs * 0.95);
  expect(r.wallMs).toBeLessThan(expectedMs * 1.6);
});
