/** `prescient worker --region NAME`: settings taken from deploy/regions/<NAME>/region.yaml, flags and env over it. */
import { loadWorkerTopology, regionSecurityDefaults, workerSettings, workerTopics } from '../../../cli/commands/worker';
import { kafkaConnection } from '../../../cli/kafka-options';
import { BadArgumentError } from '../../../cli/errors';
import { RegionError } from '../../../topology/region';

describe('worker --region', () => {
  const { topology, region } = loadWorkerTopology({ region: 'eu-west-1' });

  test('loads the region and its topology', () => {
    expect(region?.region).toBe('eu-west-1');
    expect(topology.name).toBe('eu-west-1');
    expect(topology.partitions).toBe(region?.partitions);
  });

  test('brokers, Redis and the packets topic from the region; env and flags override', () => {
    const s = workerSettings(topology, {}, {}, region);
    expect(s.brokers).toEqual(region?.kafka.brokers);
    expect(s.redisUrl).toBe('rediss://redis.eu-west-1.prescient.internal:6380');
    expect(s.topic).toBe('eu-west-1.packets');
    // k8s splices the Redis password into REDIS_URL: it must win over the region's password-less URL.
    expect(workerSettings(topology, {}, { REDIS_URL: 'rediss://:pw@r:6380', KAFKA_BROKERS: 'e:1' }, region)).toMatchObject({ brokers: ['e:1'], redisUrl: 'rediss://:pw@r:6380' });
    expect(workerSettings(topology, { brokers: 'f:2', redis: 'redis://f:3' }, { KAFKA_BROKERS: 'e:1' }, region)).toMatchObject({ brokers: ['f:2'], redisUrl: 'redis://f:3' });
  });

  test('output topics: the region names them, --topic-prefix overrides, none: unprefixed', () => {
    expect(workerTopics(region, undefined)).toEqual({
      anomalies: 'eu-west-1.anomalies', mitigations: 'eu-west-1.mitigations', forensics: 'eu-west-1.forensics',
      predictions: 'eu-west-1.predictions', deadLetters: 'eu-west-1.dead-letters',
    });
    expect(workerTopics(region, 'x.').deadLetters).toBe('x.dead-letters');
    expect(workerTopics(undefined, undefined).anomalies).toBe('anomalies');
  });

  test('TLS and SASL from the region, credentials from env; missing credentials are a bad argument', () => {
    const defaults = regionSecurityDefaults(region!);
    const c = kafkaConnection({}, { KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' }, defaults);
    expect(c).toEqual({ kind: 'kafkajs', security: { tls: { caFile: '/etc/prescient/tls/ca.crt' }, sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'pw' } } });
    expect(() => kafkaConnection({}, {}, defaults)).toThrow(BadArgumentError);
    expect(() => kafkaConnection({}, {}, defaults)).toThrow(/region eu-west-1 kafka.sasl.mechanism: SASL scram-sha-512 needs a username and password/);
    expect(kafkaConnection({ kafkaClient: 'platformatic' }, { KAFKA_CLIENT: 'kafkajs' }).kind).toBe('platformatic');
    expect(kafkaConnection({}, { KAFKA_CLIENT: 'platformatic' }).kind).toBe('platformatic');
  });

  test('-t overrides the region topology; neither is a bad argument; an unknown region is a RegionError', () => {
    expect(loadWorkerTopology({ region: 'eu-west-1', topology: 'deploy/regions/us-east-1/topology.yaml' }).topology.name).toBe('us-east-1');
    expect(() => loadWorkerTopology({})).toThrow(/pass -t <file> or --region <name>/);
    expect(() => loadWorkerTopology({ region: 'nowhere-1' })).toThrow(RegionError);
  });
});
