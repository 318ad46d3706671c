import { backoffDelayMs, KafkaConnectionError, KafkaOperationError, withConnectBackoff, type ConnectRetry } from '../../../../sources/kafka';

const unreachable = (): KafkaConnectionError => new KafkaConnectionError(['10.9.9.9:9092'], 'admin connect', 3, 'ECONNREFUSED');

test('delays double from the initial one and stop at the cap', () => {
  expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, 1000, 15000))).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
});

test('retries a connection failure with backoff, logging each attempt, then succeeds', async () => {
  const slept: number[] = [];
  const retries: ConnectRetry[] = [];
  let calls = 0;
  const v = await withConnectBackoff('connect to brokers', async () => {
    if (++calls < 3) throw unreachable();
    return 'up';
  }, { attempts: 5, initialDelayMs: 100, sleep: async (ms) => void slept.push(ms), onRetry: (r) => retries.push(r) });
  expect(v).toBe('up');
  expect(slept).toEqual([100, 200]);
  expect(retries.map((r) => [r.attempt, r.attempts, r.delayMs, r.brokers])).toEqual([[1, 5, 100, ['10.9.9.9:9092']], [2, 5, 200, ['10.9.9.9:9092']]]);
});

test('gives up after the bounded attempts with one error naming the brokers and the attempts', async () => {
  let calls = 0;
  const err = await withConnectBackoff('connect to brokers', async () => {
    calls++;
    throw unreachable();
  }, { attempts: 3, initialDelayMs: 1, sleep: async () => undefined }).catch((e: unknown) => e);
  expect(calls).toBe(3);
  expect(err).toBeInstanceOf(KafkaConnectionError);
  expect((err as Error).message).toMatch(/connect to brokers \(gave up after 3 attempts\).*10\.9\.9\.9:9092.*ECONNREFUSED/);
});

test('a broker that answers and refuses is not retried', async () => {
  let calls = 0;
  const err = await withConnectBackoff('connect to brokers', async () => {
    calls++;
    throw new KafkaOperationError(['b:1'], 'createTopics', 'policy violation', 'x');
  }, { attempts: 4, sleep: async () => undefined }).catch((e: unknown) => e);
  expect(calls).toBe(1);
  expect(err).toBeInstanceOf(KafkaOperationError);
});
