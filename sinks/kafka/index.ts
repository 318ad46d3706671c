/** Kafka output sink (Avro, idempotent producer). */
export { KafkaStreamSink, type KafkaStreamSinkOptions, type KafkaStreamSinkStats } from './kafka-stream-sink';
