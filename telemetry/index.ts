/**
 * Telemetry: OpenTelemetry metrics on a Prometheus endpoint (with /healthz and /readyz), traces of
 * sampled packets to a JSON-lines file. Bottom layer: imports only node and @opentelemetry/*.
 */
export { startTelemetry, NOOP_TELEMETRY, DEFAULT_TRACE_SAMPLE, type Telemetry, type TelemetryOptions } from './telemetry';
export { NOOP_METRICS, type RuntimeMetrics } from './runtime-metrics';
export { NOOP_TRACING, type PacketTracing, type PacketSpanInput } from './packet-tracing';
export type { SeriesReader, Tracked } from './observed-series';
export { METRIC } from './metric-names';
export { LATENCY_BUCKETS_S, BATCH_SIZE_BUCKETS, BATCH_WAIT_BUCKETS_S, CHECKPOINT_DURATION_BUCKETS_S, CHECKPOINT_SIZE_BUCKETS } from './buckets';
export { MetricsPortError, TraceFileError } from './errors';
export { PacketSampler } from './packet-sampler';
export { FixedHistogram } from './fixed-histogram';
export type { SpanLine } from './jsonl-span-exporter';
