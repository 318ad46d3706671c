/**
 * What the runtime, the worker and the micro-batcher record. Two implementations: the
 * OpenTelemetry one (otel-runtime-metrics.ts) and NOOP_METRICS, whose methods do nothing so a
 * run without `--metrics-port` pays a call per chunk at most.
 */
import type { SeriesReader, Tracked } from './observed-series';

export interface RuntimeMetrics {
  readonly enabled: boolean;
  /**
   * The packets of one chunk reached the verdict at `nowUs` (µs since the epoch); `captureTsUs[i]`
   * is packet i's capture timestamp. Non-finite timestamps (unknown) are skipped.
   */
  recordLatencies(captureTsUs: ArrayLike<number>, n: number, nowUs: number): void;
  /** One batched inference step of `rows` rows whose first row waited `waitUs`. */
  recordBatch(rows: number, waitUs: number): void;
  /** One checkpoint written: how long it took and how many state cells it carried. */
  recordCheckpoint(durationMs: number, cells: number): void;
  /** A mitigation decision was emitted. */
  countMitigation(action: string): void;
  /** Cumulative records into each operator; reader emits (operator name, total). */
  observeOperatorRecords(reader: SeriesReader): Tracked;
  /** Records waiting in each task's mailbox; reader emits (partition, size). */
  observeMailboxDepth(reader: SeriesReader): Tracked;
  /** Records of each partition not yet run through the chain; reader emits (partition, records). */
  observeConsumerLag(reader: SeriesReader): Tracked;
  /** Cumulative records sent to the dead-letter topic; reader emits (reason, total). */
  observeDeadLetters(reader: SeriesReader): Tracked;
}

const NOT_TRACKED: Tracked = { release: () => undefined };

export const NOOP_METRICS: RuntimeMetrics = {
  enabled: false,
  recordLatencies: () => undefined,
  recordBatch: () => undefined,
  recordCheckpoint: () => undefined,
  countMitigation: () => undefined,
  observeOperatorRecords: () => NOT_TRACKED,
  observeMailboxDepth: () => NOT_TRACKED,
  observeConsumerLag: () => NOT_TRACKED,
  observeDeadLetters: () => NOT_TRACKED,
};
