import * as net from 'net';
import { KafkaConnectionError, KafkajsClient, parseBrokers } from '../../../../sources/kafka';

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('an unreachable broker gives KafkaConnectionError naming brokers and operation, within the bound', async () => {
  const brokers = [`127.0.0.1:${await closedPort()}`];
  const client = new KafkajsClient({ brokers, clientId: 'unit', operationTimeoutMs: 3000, connectTimeoutMs: 500, logLevel: 'nothing' });
  for (const [what, connect] of [
    ['producer connect', () => client.producer().connect()],
    ['admin connect', () => client.admin().connect()],
  ] as const) {
    const t0 = Date.now();
    const err = await connect().catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(4500);
    expect(err).toBeInstanceOf(KafkaConnectionError);
    const e = err as KafkaConnectionError;
    expect(e.operation).toBe(what);
    expect(e.brokers).toEqual(brokers);
    expect(e.message).toContain(brokers[0]);
  }
});

test('parseBrokers reads KAFKA_BROKERS lists and refuses what is not host:port', () => {
  expect(parseBrokers('127.0.0.1:9092, kafka-1:19092')).toEqual(['127.0.0.1:9092', 'kafka-1:19092']);
  expect(() => parseBrokers('127.0.0.1')).toThrow(/host:port/);
  expect(() => parseBrokers(' , ')).toThrow(/no broker/);
});
