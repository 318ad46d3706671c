import { parseTopology } from '../../../topology';
import { workerSettings } from '../../../cli/commands/worker';
import { createEnforcer } from '../../../cli/commands/enforce';

const kafkaTopology = (extra = ''): ReturnType<typeof parseTopology> => parseTopology([
  'name: eu-west-1',
  `source: { kind: kafka, topic: pkts${extra} }`,
  'operators: [{ use: entropy }]',
  "state: { backend: redis, url: 'redis://10.0.0.1:6379', checkpointEvery: 1s }",
].join('\n'), 'w.yaml');

describe('worker settings', () => {
  test('brokers and Redis: flag, then env, then the file', () => {
    const t = kafkaTopology(', brokers: "k1:9092,k2:9092"');
    expect(workerSettings(t, {}, {})).toEqual({ brokers: ['k1:9092', 'k2:9092'], redisUrl: 'redis://10.0.0.1:6379', topic: 'pkts' });
    expect(workerSettings(t, {}, { KAFKA_BROKERS: 'e:1', REDIS_URL: 'redis://e:2' })).toMatchObject({ brokers: ['e:1'], redisUrl: 'redis://e:2' });
    expect(workerSettings(t, { brokers: 'f:3', redis: 'redis://f:4' }, { KAFKA_BROKERS: 'e:1' })).toMatchObject({ brokers: ['f:3'], redisUrl: 'redis://f:4' });
  });

  test('refuses what cannot run as a worker, saying why', () => {
    expect(() => workerSettings(kafkaTopology(), {}, {})).toThrow(/no Kafka brokers/);
    expect(() => workerSettings(kafkaTopology(), { brokers: 'nope' }, {})).toThrow(/not host:port/);
    const embedded = parseTopology('name: x\nsource: { kind: synthetic }\noperators: [{ use: entropy }]\n', 'x.yaml');
    expect(() => workerSettings(embedded, { brokers: 'k:1', redis: 'redis://r:1' }, {})).toThrow(/source.kind 'kafka'.*'synthetic'/);
  });

  test('enforcers: log by default, webhook needs a URL', () => {
    expect(createEnforcer('log', undefined).kind).toBe('log');
    expect(createEnforcer('webhook', 'http://h/x').kind).toBe('webhook');
    expect(() => createEnforcer('webhook', undefined)).toThrow(/needs --url/);
    expect(() => createEnforcer('webhook', 'not a url')).toThrow(/not a URL/);
    expect(() => createEnforcer('linux', undefined)).toThrow(/log or webhook/);
  });
});
