/**
 * Names of every metric Prescient exports, as Prometheus shows them (counters get `_total`,
 * histograms `_bucket`/`_sum`/`_count`). The Grafana dashboard queries these; a test checks it
 * against a real scrape.
 */
export const METRIC = {
  packetLatency: 'prescient_packet_latency_seconds',
  operatorRecords: 'prescient_operator_records_total',
  batchSize: 'prescient_inference_batch_size',
  batchWait: 'prescient_inference_batch_wait_seconds',
  mailboxDepth: 'prescient_task_mailbox_depth',
  consumerLag: 'prescient_consumer_lag_records',
  checkpointDuration: 'prescient_checkpoint_duration_seconds',
  checkpointSize: 'prescient_checkpoint_size_cells',
  deadLetters: 'prescient_dead_letters_total',
  mitigations: 'prescient_mitigations_total',
} as const;
