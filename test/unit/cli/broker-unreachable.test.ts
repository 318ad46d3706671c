/**
 * Broker unreachable at start (a port nothing listens on): `prescient publish` and `prescient
 * worker` retry with exponential backoff, logging each attempt, then fail once with an error that
 * names the broker, and the CLI exits with the service-unavailable code (69), not a crash.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { workerCommand } from '../../../cli/commands/worker';
import { ExitCode } from '../../../cli/exit-codes';
import { generateToPcap } from '../../../sources';
import { KafkaConnectionError } from '../../../sources/kafka';

jest.setTimeout(30_000);

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let dir: string;
let broker: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prescient-unreachable-'));
  await generateToPcap({ seed: 1, vmCount: 2, durationSec: 1 }, dir);
  broker = `127.0.0.1:${await closedPort()}`;
});

afterEach(() => {
  process.exitCode = undefined;
});

test('publish: retries with backoff, then exit 69 with the broker named', async () => {
  const err: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  const t0 = Date.now();
  try {
    await main(['node', 'prescient', 'publish', '--pcap', join(dir, 'capture.pcap'), '--inventory', join(dir, 'inventory.csv'),
      '--brokers', broker, '--topic', 'never', '--connect-attempts', '3', '--connect-backoff', '50']);
  } finally {
    spy.mockRestore();
  }
  expect(process.exitCode).toBe(ExitCode.SERVICE_UNAVAILABLE);
  const text = err.join('');
  // Each failed attempt is logged with the wait before the next, doubling.
  expect(text).toMatch(/attempt 1\/3, retrying in 50 ms/);
  expect(text).toMatch(/attempt 2\/3, retrying in 100 ms/);
  expect(text).not.toMatch(/attempt 3\/3/);
  // One final error line, naming the broker and the attempts; no stack trace (not a crash).
  const final = text.split('\n').filter((l) => l.startsWith('prescient: '));
  expect(final).toHaveLength(1);
  expect(final[0]).toContain(broker);
  expect(final[0]).toMatch(/gave up after 3 attempts/);
  expect(text).not.toMatch(/unexpected failure|\n\s+at /);
  expect(Date.now() - t0).toBeLessThan(25_000);
});

test('worker: the same bounded retry before anything else starts', async () => {
  const topology = join(dir, 'w.yaml');
  writeFileSync(topology, [
    'name: unreachable',
    'source: { kind: kafka, topic: pk }',
    'operators: [{ use: entropy }]',
    "state: { backend: redis, url: 'redis://127.0.0.1:1', checkpointEvery: 1s }",
    '',
  ].join('\n'));
  const err = await workerCommand({ topology, brokers: broker, connectAttempts: 2, connectBackoffMs: 50, quiet: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(KafkaConnectionError);
  expect((err as Error).message).toMatch(/connect to brokers \(gave up after 2 attempts\)/);
  expect((err as KafkaConnectionError).brokers).toEqual([broker]);
});
