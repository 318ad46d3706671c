/**
 * Kafka connection flags shared by `worker` and `publish`: client choice, TLS and SASL. Each has
 * an environment variable (the deploy manifests set those) and the flag wins; see
 * sources/kafka/kafka-security.ts for the variables and checks.
 */
import { Option, type Command } from 'commander';
import {
  KAFKA_CLIENT_KINDS, KAFKA_SASL_MECHANISMS, KafkaConfigError, parseKafkaClientKind, resolveKafkaSecurity,
  type KafkaClientKind, type KafkaSecurity, type KafkaSecurityDefaults, type KafkaSecurityFlags,
} from '../sources/kafka';
import { BadArgumentError } from './errors';

export interface KafkaCliOptions extends KafkaSecurityFlags {
  /** Default $KAFKA_CLIENT, else kafkajs. */
  kafkaClient?: string;
}

/** Adds --kafka-client and the TLS/SASL flags to `cmd`. */
export function addKafkaOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--kafka-client <name>', 'Kafka client library (default $KAFKA_CLIENT, else kafkajs)').choices([...KAFKA_CLIENT_KINDS]))
    .option('--kafka-tls', 'connect to the brokers over TLS (default $KAFKA_TLS=1 or $TLS_REQUIRED=true); needs a CA')
    .option('--kafka-tls-ca <file>', "PEM CA bundle of the brokers (default $KAFKA_TLS_CA_FILE); given alone, it turns TLS on")
    .option('--kafka-tls-cert <file>', 'client certificate for mutual TLS (default $KAFKA_TLS_CERT_FILE)')
    .option('--kafka-tls-key <file>', 'client key for mutual TLS (default $KAFKA_TLS_KEY_FILE)')
    .option('--kafka-tls-servername <name>', 'TLS server name when it differs from the broker host (default $KAFKA_TLS_SERVERNAME)')
    .addOption(new Option('--kafka-sasl-mechanism <m>', 'SASL mechanism (default $KAFKA_SASL_MECHANISM)').choices([...KAFKA_SASL_MECHANISMS]))
    .option('--kafka-sasl-username <user>', 'SASL username (default $KAFKA_SASL_USERNAME)')
    .option('--kafka-sasl-password <pw>', 'SASL password (default $KAFKA_SASL_PASSWORD; prefer the variable: flags show in ps)');
}

/** The client kind and security the flags, env and `defaults` (a region) ask for; bad input is a BadArgumentError. */
export function kafkaConnection(o: KafkaCliOptions, env: NodeJS.ProcessEnv = process.env, defaults?: KafkaSecurityDefaults): { kind: KafkaClientKind; security: KafkaSecurity } {
  try {
    const kind = parseKafkaClientKind(o.kafkaClient ?? env.KAFKA_CLIENT, o.kafkaClient !== undefined ? '--kafka-client' : 'KAFKA_CLIENT');
    return { kind, security: resolveKafkaSecurity(o, env, defaults) };
  } catch (e) {
    if (e instanceof KafkaConfigError) throw new BadArgumentError(e.message);
    throw e;
  }
}
