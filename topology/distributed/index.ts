/** Distributed mode: workers of one Kafka consumer group, keyed state checkpointed to Redis. */
export { KafkaWorker, type KafkaWorkerOptions, type WorkerPartitionStats, type WorkerStats, type WorkerStateBackend } from './kafka-worker';
export { KafkaRepartitionRouter, repartitionTopic, type KafkaRepartitionOptions } from './kafka-repartition';
export { OffsetTracker } from './offset-tracker';
