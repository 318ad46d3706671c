/**
 * Kafka TLS and SASL settings: one client-neutral shape (KafkaSecurity), read from CLI flags and
 * the environment the deploy manifests set (deploy/k8s, deploy/compose), checked once, and mapped
 * to each client's own options here so kafkajs-client.ts and platformatic-client.ts stay small.
 */
import { readFileSync } from 'node:fs';
import { KafkaConfigError } from './kafka-errors';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export interface KafkaTlsSettings {
  /** PEM CA bundle of the brokers; required (a TLS connection with no CA named is refused). */
  caFile: string;
  /** Client certificate and key (mutual TLS): both or neither. */
  certFile?: string;
  keyFile?: string;
  /** SNI / certificate name when it differs from the broker host. */
  serverName?: string;
}

export interface KafkaSaslSettings {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

/** What a KafkaClient needs to reach secured brokers; absent parts mean plaintext / no auth. */
export interface KafkaSecurity {
  tls?: KafkaTlsSettings;
  sasl?: KafkaSaslSettings;
}

/** The CLI flags (all optional); a flag wins over its environment variable. */
export interface KafkaSecurityFlags {
  kafkaTls?: boolean;
  kafkaTlsCa?: string;
  kafkaTlsCert?: string;
  kafkaTlsKey?: string;
  kafkaTlsServername?: string;
  kafkaSaslMechanism?: string;
  kafkaSaslUsername?: string;
  kafkaSaslPassword?: string;
}

/** Lower layer defaults (a region file) under flags and env; each field names where it came from. */
export interface KafkaSecurityDefaults {
  tls?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  saslMechanism?: string;
  /** Label used in errors, e.g. "region eu-west-1". */
  source?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function truthy(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  return undefined;
}

interface Picked<T> {
  value: T | undefined;
  from: string;
}

/** First defined of flag, env, default, with the name of the one used (for error messages). */
function pick<T>(flag: T | undefined, flagName: string, env: T | undefined, envName: string, def: T | undefined, defName: string): Picked<T> {
  if (flag !== undefined) return { value: flag, from: flagName };
  if (env !== undefined) return { value: env, from: envName };
  return { value: def, from: defName };
}

/**
 * Flags over env over `defaults`. Env: KAFKA_TLS=1 (or TLS_REQUIRED=true, as the k8s overlays set),
 * KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE, KAFKA_TLS_KEY_FILE, KAFKA_TLS_SERVERNAME,
 * KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD. A CA or client certificate
 * given alone turns TLS on. Throws KafkaConfigError naming the setting at fault.
 */
export function resolveKafkaSecurity(flags: KafkaSecurityFlags = {}, env: Env = process.env, defaults: KafkaSecurityDefaults = {}): KafkaSecurity {
  const d = defaults.source ?? 'config';
  const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  const envTls = truthy(env.KAFKA_TLS) ?? truthy(env.TLS_REQUIRED);
  const envTlsName = truthy(env.KAFKA_TLS) !== undefined ? 'KAFKA_TLS' : 'TLS_REQUIRED';
  const tlsOn = pick(flags.kafkaTls, '--kafka-tls', envTls, envTlsName, defaults.tls, `${d} tls.required`);
  const ca = pick(nonEmpty(flags.kafkaTlsCa), '--kafka-tls-ca', nonEmpty(env.KAFKA_TLS_CA_FILE), 'KAFKA_TLS_CA_FILE', defaults.caFile, `${d} tls.caFile`);
  const cert = pick(nonEmpty(flags.kafkaTlsCert), '--kafka-tls-cert', nonEmpty(env.KAFKA_TLS_CERT_FILE), 'KAFKA_TLS_CERT_FILE', defaults.certFile, `${d} tls.certFile`);
  const key = pick(nonEmpty(flags.kafkaTlsKey), '--kafka-tls-key', nonEmpty(env.KAFKA_TLS_KEY_FILE), 'KAFKA_TLS_KEY_FILE', defaults.keyFile, `${d} tls.keyFile`);
  const sni = pick(nonEmpty(flags.kafkaTlsServername), '--kafka-tls-servername', nonEmpty(env.KAFKA_TLS_SERVERNAME), 'KAFKA_TLS_SERVERNAME', defaults.serverName, `${d} tls.serverName`);
  const mech = pick(nonEmpty(flags.kafkaSaslMechanism), '--kafka-sasl-mechanism', nonEmpty(env.KAFKA_SASL_MECHANISM), 'KAFKA_SASL_MECHANISM', defaults.saslMechanism, `${d} kafka.sasl.mechanism`);
  const user = pick(nonEmpty(flags.kafkaSaslUsername), '--kafka-sasl-username', nonEmpty(env.KAFKA_SASL_USERNAME), 'KAFKA_SASL_USERNAME', undefined, '');
  const pass = pick(nonEmpty(flags.kafkaSaslPassword), '--kafka-sasl-password', nonEmpty(env.KAFKA_SASL_PASSWORD), 'KAFKA_SASL_PASSWORD', undefined, '');

  const out: KafkaSecurity = {};
  // An explicit "off" wins over files lying around (e.g. a mounted but optional TLS secret).
  const wantTls = tlsOn.value ?? (ca.value !== undefined || cert.value !== undefined);
  if (wantTls) {
    if (ca.value === undefined) {
      throw new KafkaConfigError(tlsOn.value === true ? tlsOn.from : cert.from, 'TLS to the brokers is required but no CA file is given: set --kafka-tls-ca or KAFKA_TLS_CA_FILE (PEM bundle of the brokers\' CA)');
    }
    if ((cert.value === undefined) !== (key.value === undefined)) {
      const missing = cert.value === undefined ? 'certificate (--kafka-tls-cert / KAFKA_TLS_CERT_FILE)' : 'key (--kafka-tls-key / KAFKA_TLS_KEY_FILE)';
      throw new KafkaConfigError(cert.value === undefined ? key.from : cert.from, `mutual TLS needs both a client certificate and its key; the ${missing} is missing`);
    }
    out.tls = { caFile: ca.value };
    if (cert.value !== undefined) out.tls.certFile = cert.value;
    if (key.value !== undefined) out.tls.keyFile = key.value;
    if (sni.value !== undefined) out.tls.serverName = sni.value;
  }

  if (mech.value !== undefined) {
    const m = mech.value.toLowerCase();
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new KafkaConfigError(mech.from, `unknown SASL mechanism '${mech.value}': expected one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    }
    if (user.value === undefined || pass.value === undefined) {
      const missing = [user.value === undefined ? 'KAFKA_SASL_USERNAME' : '', pass.value === undefined ? 'KAFKA_SASL_PASSWORD' : ''].filter((s) => s !== '').join(' and ');
      throw new KafkaConfigError(mech.from, `SASL ${m} needs a username and password: ${missing} not set (or --kafka-sasl-username/--kafka-sasl-password)`);
    }
    // PLAIN sends the password as is: refuse it on a plaintext connection.
    if (m === 'plain' && out.tls === undefined) {
      throw new KafkaConfigError(mech.from, 'SASL/PLAIN without TLS would send the password in clear: enable TLS (--kafka-tls / KAFKA_TLS=1 with a CA) or use scram-sha-256/512');
    }
    out.sasl = { mechanism: m as KafkaSaslMechanism, username: user.value, password: pass.value };
  } else if (user.value !== undefined || pass.value !== undefined) {
    throw new KafkaConfigError(user.value !== undefined ? user.from : pass.from, 'SASL credentials given without a mechanism: set KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)');
  }
  return out;
}

/** The PEM material of `tls`, read now so a missing file fails at start, naming the file. */
export interface KafkaTlsMaterial {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
}

export function readTlsMaterial(tls: KafkaTlsSettings, read: (file: string) => Buffer = (f) => readFileSync(f)): KafkaTlsMaterial {
  const load = (file: string, what: string): Buffer => {
    try {
      return read(file);
    } catch (e) {
      throw new KafkaConfigError(what, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const out: KafkaTlsMaterial = { ca: load(tls.caFile, 'TLS CA file') };
  if (tls.certFile !== undefined) out.cert = load(tls.certFile, 'TLS client certificate');
  if (tls.keyFile !== undefined) out.key = load(tls.keyFile, 'TLS client key');
  if (tls.serverName !== undefined) out.servername = tls.serverName;
  return out;
}

/** kafkajs's `ssl` and `sasl` Kafka() options. */
export function kafkajsSecurityOptions(sec: KafkaSecurity | undefined, read?: (file: string) => Buffer): {
  ssl?: { ca: Buffer[]; cert?: Buffer; key?: Buffer; servername?: string; rejectUnauthorized: true };
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
} {
  const out: ReturnType<typeof kafkajsSecurityOptions> = {};
  if (sec?.tls !== undefined) {
    const m = readTlsMaterial(sec.tls, read);
    out.ssl = { ca: [m.ca], rejectUnauthorized: true };
    if (m.cert !== undefined) out.ssl.cert = m.cert;
    if (m.key !== undefined) out.ssl.key = m.key;
    if (m.servername !== undefined) out.ssl.servername = m.servername;
  }
  if (sec?.sasl !== undefined) out.sasl = { mechanism: sec.sasl.mechanism, username: sec.sasl.username, password: sec.sasl.password };
  return out;
}

const PLATFORMATIC_MECHANISMS: Record<KafkaSaslMechanism, 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** @platformatic/kafka's `tls`, `tlsServerName` and `sasl` client options. */
export function platformaticSecurityOptions(sec: KafkaSecurity | undefined, read?: (file: string) => Buffer): {
  tls?: { ca: Buffer[]; cert?: Buffer; key?: Buffer; rejectUnauthorized: true };
  tlsServerName?: string;
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
} {
  const out: ReturnType<typeof platformaticSecurityOptions> = {};
  if (sec?.tls !== undefined) {
    const m = readTlsMaterial(sec.tls, read);
    out.tls = { ca: [m.ca], rejectUnauthorized: true };
    if (m.cert !== undefined) out.tls.cert = m.cert;
    if (m.key !== undefined) out.tls.key = m.key;
    if (m.servername !== undefined) out.tlsServerName = m.servername;
  }
  if (sec?.sasl !== undefined) out.sasl = { mechanism: PLATFORMATIC_MECHANISMS[sec.sasl.mechanism], username: sec.sasl.username, password: sec.sasl.password };
  return out;
}

/** One line for logs: what is on, never the password. */
export function describeKafkaSecurity(sec: KafkaSecurity | undefined): string {
  const tls = sec?.tls === undefined ? 'plaintext' : `tls (ca ${sec.tls.caFile}${sec.tls.certFile !== undefined ? ', client cert' : ''})`;
  return sec?.sasl === undefined ? tls : `${tls}, sasl ${sec.sasl.mechanism} as ${sec.sasl.username}`;
}
