/** Picks the KafkaClient implementation by name (`--kafka-client kafkajs|platformatic`). */
import type { KafkaClient, KafkaClientConfig } from './kafka-client';
import { KafkaConfigError } from './kafka-errors';
import { KafkajsClient } from './kafkajs-client';
import { PlatformaticClient } from './platformatic-client';

export const KAFKA_CLIENT_KINDS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientKind = (typeof KAFKA_CLIENT_KINDS)[number];

export function parseKafkaClientKind(value: string | undefined, setting = '--kafka-client'): KafkaClientKind {
  if (value === undefined || value === '') return 'kafkajs';
  if ((KAFKA_CLIENT_KINDS as readonly string[]).includes(value)) return value as KafkaClientKind;
  throw new KafkaConfigError(setting, `unknown Kafka client '${value}': expected one of ${KAFKA_CLIENT_KINDS.join(', ')}`);
}

/** platformatic: its producer, with kafkajs admin and consumer (see platformatic-client.ts). */
export function createKafkaClient(kind: KafkaClientKind, config: KafkaClientConfig): KafkaClient {
  return kind === 'platformatic' ? new PlatformaticClient(config) : new KafkajsClient(config);
}
