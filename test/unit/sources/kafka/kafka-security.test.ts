/** TLS/SASL settings: precedence flag > env > region, the checks' errors, and the mapping to each client's options. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKafkaClient, describeKafkaSecurity, KafkaConfigError, kafkajsSecurityOptions, KafkajsClient, parseKafkaClientKind,
  platformaticSecurityOptions, PlatformaticClient, resolveKafkaSecurity, type KafkaSecurity,
} from '../../../../sources/kafka';

const dir = mkdtempSync(join(tmpdir(), 'kafka-sec-'));
const ca = join(dir, 'ca.pem');
const cert = join(dir, 'tls.crt');
const key = join(dir, 'tls.key');
writeFileSync(ca, 'CA-PEM');
writeFileSync(cert, 'CERT-PEM');
writeFileSync(key, 'KEY-PEM');

function configError(fn: () => unknown): KafkaConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaConfigError) return e;
    throw e;
  }
  throw new Error('expected a KafkaConfigError');
}

describe('resolveKafkaSecurity', () => {
  test('nothing set: plaintext, no SASL', () => {
    expect(resolveKafkaSecurity({}, {})).toEqual({});
    expect(describeKafkaSecurity(resolveKafkaSecurity({}, {}))).toBe('plaintext');
  });

  test('env as the k8s overlays set it (TLS_REQUIRED, KAFKA_TLS_*, KAFKA_SASL_*)', () => {
    const s = resolveKafkaSecurity({}, {
      TLS_REQUIRED: 'true', KAFKA_TLS_CA_FILE: ca, KAFKA_TLS_CERT_FILE: cert, KAFKA_TLS_KEY_FILE: key,
      KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p',
    });
    expect(s).toEqual({ tls: { caFile: ca, certFile: cert, keyFile: key }, sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } });
    expect(describeKafkaSecurity(s)).not.toContain('p,');
    expect(describeKafkaSecurity(s)).toMatch(/tls .*client cert.*sasl scram-sha-256 as u/);
  });

  test('KAFKA_TLS=1 with a CA; the mechanism is case-insensitive', () => {
    expect(resolveKafkaSecurity({}, { KAFKA_TLS: '1', KAFKA_TLS_CA_FILE: ca, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }))
      .toEqual({ tls: { caFile: ca }, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  test('flags win over env, env over region defaults', () => {
    const env = { KAFKA_TLS_CA_FILE: '/env/ca', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'eu', KAFKA_SASL_PASSWORD: 'ep' };
    const region = { tls: true, caFile: '/region/ca', saslMechanism: 'scram-sha-512', source: 'region r1' };
    expect(resolveKafkaSecurity({}, { KAFKA_SASL_USERNAME: 'eu', KAFKA_SASL_PASSWORD: 'ep' }, region))
      .toEqual({ tls: { caFile: '/region/ca' }, sasl: { mechanism: 'scram-sha-512', username: 'eu', password: 'ep' } });
    // The region names the mechanism; the credentials must come from the Secret's env.
    expect(configError(() => resolveKafkaSecurity({}, {}, region)).setting).toBe('region r1 kafka.sasl.mechanism');
    const s = resolveKafkaSecurity({ kafkaTlsCa: '/flag/ca', kafkaSaslUsername: 'fu' }, env, region);
    expect(s).toEqual({ tls: { caFile: '/flag/ca' }, sasl: { mechanism: 'scram-sha-256', username: 'fu', password: 'ep' } });
    // KAFKA_TLS=0 turns off the region's TLS (e.g. a local broker), a flag turns it back on.
    const tlsOnly = { tls: true, caFile: '/region/ca', source: 'region r1' };
    expect(resolveKafkaSecurity({}, { KAFKA_TLS: '0' }, tlsOnly).tls).toBeUndefined();
    expect(resolveKafkaSecurity({ kafkaTls: true }, { KAFKA_TLS: '0' }, tlsOnly).tls).toEqual({ caFile: '/region/ca' });
  });

  test('a CA given alone turns TLS on; an explicit off wins', () => {
    expect(resolveKafkaSecurity({ kafkaTlsCa: ca }, {}).tls).toEqual({ caFile: ca });
    expect(resolveKafkaSecurity({ kafkaTlsCa: ca }, { KAFKA_TLS: 'false' }).tls).toBeUndefined();
  });

  test('TLS required without a CA is refused, naming the setting that asked for it', () => {
    expect(configError(() => resolveKafkaSecurity({ kafkaTls: true }, {})).setting).toBe('--kafka-tls');
    expect(configError(() => resolveKafkaSecurity({}, { KAFKA_TLS: '1' })).message).toMatch(/KAFKA_TLS: TLS to the brokers is required but no CA file/);
    expect(configError(() => resolveKafkaSecurity({}, { TLS_REQUIRED: 'true' })).setting).toBe('TLS_REQUIRED');
    expect(configError(() => resolveKafkaSecurity({}, {}, { tls: true, source: 'region eu-west-1' })).setting).toBe('region eu-west-1 tls.required');
  });

  test('mutual TLS needs both certificate and key', () => {
    expect(configError(() => resolveKafkaSecurity({ kafkaTlsCa: ca, kafkaTlsCert: cert }, {})).message).toMatch(/key .* is missing/);
    expect(configError(() => resolveKafkaSecurity({}, { KAFKA_TLS_CA_FILE: ca, KAFKA_TLS_KEY_FILE: key })).setting).toBe('KAFKA_TLS_KEY_FILE');
  });

  test('SASL: known mechanism, credentials, no PLAIN in clear, no credentials without mechanism', () => {
    expect(configError(() => resolveKafkaSecurity({ kafkaSaslMechanism: 'gssapi' }, {})).message).toMatch(/unknown SASL mechanism 'gssapi'.*plain, scram-sha-256, scram-sha-512/);
    expect(configError(() => resolveKafkaSecurity({}, { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' })).message).toMatch(/KAFKA_SASL_PASSWORD not set/);
    expect(configError(() => resolveKafkaSecurity({}, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).message).toMatch(/PLAIN without TLS/);
    expect(resolveKafkaSecurity({ kafkaTlsCa: ca }, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).sasl?.mechanism).toBe('plain');
    expect(configError(() => resolveKafkaSecurity({}, { KAFKA_SASL_USERNAME: 'u' })).setting).toBe('KAFKA_SASL_USERNAME');
  });

  test('empty env values count as unset (k8s optional Secrets)', () => {
    expect(resolveKafkaSecurity({}, { KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '', KAFKA_TLS_CA_FILE: '' })).toEqual({});
  });
});

describe('mapping to the clients', () => {
  const full: KafkaSecurity = {
    tls: { caFile: ca, certFile: cert, keyFile: key, serverName: 'broker.internal' },
    sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
  };

  test('kafkajs: ssl with the PEM contents, sasl as is', () => {
    const o = kafkajsSecurityOptions(full);
    expect(o.ssl).toEqual({ ca: [Buffer.from('CA-PEM')], cert: Buffer.from('CERT-PEM'), key: Buffer.from('KEY-PEM'), servername: 'broker.internal', rejectUnauthorized: true });
    expect(o.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(kafkajsSecurityOptions(undefined)).toEqual({});
    expect(kafkajsSecurityOptions({ sasl: { mechanism: 'plain', username: 'a', password: 'b' } })).toEqual({ sasl: { mechanism: 'plain', username: 'a', password: 'b' } });
  });

  test('platformatic: tls, tlsServerName, upper-case mechanism', () => {
    const o = platformaticSecurityOptions(full);
    expect(o.tls).toEqual({ ca: [Buffer.from('CA-PEM')], cert: Buffer.from('CERT-PEM'), key: Buffer.from('KEY-PEM'), rejectUnauthorized: true });
    expect(o.tlsServerName).toBe('broker.internal');
    expect(o.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' });
    expect(platformaticSecurityOptions({ sasl: { mechanism: 'scram-sha-256', username: 'a', password: 'b' } }).sasl?.mechanism).toBe('SCRAM-SHA-256');
  });

  test('a missing CA file fails when the client is made, naming the file', () => {
    const missing = join(dir, 'nope.pem');
    const e = configError(() => new KafkajsClient({ brokers: ['k:9093'], clientId: 't', security: { tls: { caFile: missing } } }));
    expect(e.message).toContain(missing);
    expect(e.message).toMatch(/ENOENT/);
    expect(() => platformaticSecurityOptions({ tls: { caFile: ca, certFile: missing, keyFile: key } })).toThrow(/client certificate: cannot read/);
  });

  test('client choice', () => {
    expect(parseKafkaClientKind(undefined)).toBe('kafkajs');
    expect(parseKafkaClientKind('platformatic')).toBe('platformatic');
    expect(() => parseKafkaClientKind('librdkafka')).toThrow(/unknown Kafka client 'librdkafka'/);
    expect(createKafkaClient('kafkajs', { brokers: ['k:1'], clientId: 't' })).toBeInstanceOf(KafkajsClient);
    const p = createKafkaClient('platformatic', { brokers: ['k:1'], clientId: 't' });
    expect(p).toBeInstanceOf(PlatformaticClient);
    expect(p.brokers).toEqual(['k:1']);
  });
});
