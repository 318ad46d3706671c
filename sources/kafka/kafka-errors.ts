/** Typed errors of the Kafka layer; each names the brokers and what was being done. */

/** The brokers could not be reached (or did not answer) within the operation's time bound. */
export class KafkaConnectionError extends Error {
  override readonly name = 'KafkaConnectionError';
  constructor(
    readonly brokers: readonly string[],
    /** What failed, e.g. 'producer connect', 'admin createTopics'. */
    readonly operation: string,
    readonly elapsedMs: number,
    readonly detail: string,
  ) {
    super(`kafka ${operation} failed after ${elapsedMs} ms (brokers ${brokers.join(',')}): ${detail}`);
  }
}

/** A Kafka request that reached the brokers but failed (bad topic spec, send refused, ...). */
export class KafkaOperationError extends Error {
  override readonly name = 'KafkaOperationError';
  constructor(
    readonly brokers: readonly string[],
    readonly operation: string,
    readonly detail: string,
    /** Topic involved, when there is one. */
    readonly topic?: string,
  ) {
    super(`kafka ${operation}${topic ? ` on topic ${topic}` : ''} failed (brokers ${brokers.join(',')}): ${detail}`);
  }
}

/** Kafka TLS/SASL settings that cannot work (TLS without a CA, SASL without credentials, ...). */
export class KafkaConfigError extends Error {
  override readonly name = 'KafkaConfigError';
  constructor(
    /** Where the setting came from, e.g. '--kafka-tls-ca', 'KAFKA_SASL_MECHANISM', 'region eu-west-1 tls.caFile'. */
    readonly setting: string,
    readonly detail: string,
  ) {
    super(`kafka security setting ${setting}: ${detail}`);
  }
}
