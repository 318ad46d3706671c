/** Kafka client layer (project interface + kafkajs implementation) and the Kafka packet source. */
export type {
  ConsumerHandlers, ConsumerOptions, IncomingBatch, IncomingRecord, KafkaAdmin, KafkaClient, KafkaClientConfig,
  KafkaConsumer, KafkaProducer, OutgoingRecord, ProducerOptions, TopicPartition, TopicSpec,
} from './kafka-client';
export { parseBrokers } from './kafka-client';
export { KafkaConfigError, KafkaConnectionError, KafkaOperationError } from './kafka-errors';
export {
  describeKafkaSecurity, KAFKA_SASL_MECHANISMS, kafkajsSecurityOptions, platformaticSecurityOptions, readTlsMaterial, resolveKafkaSecurity,
  type KafkaSaslMechanism, type KafkaSaslSettings, type KafkaSecurity, type KafkaSecurityDefaults, type KafkaSecurityFlags, type KafkaTlsMaterial, type KafkaTlsSettings,
} from './kafka-security';
export { KafkajsClient } from './kafkajs-client';
export { KafkaPacketSource, type KafkaPacketBatch, type KafkaPacketSourceOptions, type KafkaPacketSourceStats } from './kafka-packet-source';
export { ensureTopics, prescientTopicSpecs } from './topics';
export { BatchingSender } from './batching-sender';
export { backoffDelayMs, DEFAULT_CONNECT_ATTEMPTS, withConnectBackoff, type ConnectBackoffOptions, type ConnectRetry } from './connect-backoff';
export { PlatformaticClient } from './platformatic-client';
export { createKafkaClient, KAFKA_CLIENT_KINDS, parseKafkaClientKind, type KafkaClientKind } from './create-client';
