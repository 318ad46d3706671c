import * as net from 'net';
import { RedisStateBackend, RedisUnavailableError } from '../../../state';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('an unreachable Redis gives RedisUnavailableError naming the server, within the bound', async () => {
  const port = await closedPort();
  const b = new RedisStateBackend({ url: `redis://:secret@127.0.0.1:${port}`, namespace: 't', connectTimeoutMs: 1000 });
  const t0 = Date.now();
  const err = await b.connect().catch((e: unknown) => e);
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(err).toBeInstanceOf(RedisUnavailableError);
  const e = err as RedisUnavailableError;
  expect(e.operation).toBe('connect');
  expect(e.message).toContain(`127.0.0.1:${port}`);
  expect(e.message).not.toContain('secret');
  await b.close();
});
