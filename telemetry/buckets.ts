/**
 * Explicit histogram boundaries (inclusive upper bounds, Prometheus `le`). Fixed here so the
 * dashboard's histogram_quantile and the code agree, and so recording needs no allocation.
 */

/** Per-packet latency, seconds: 1 µs .. 60 s (a 1-2-5 ladder), so both µs steps and stalls resolve. */
export const LATENCY_BUCKETS_S: readonly number[] = [
  1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3,
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60,
];

/** Rows in one batched inference step. */
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/** Time the first row of a batch waited for the batch to fill, seconds: 1 µs .. 100 ms. */
export const BATCH_WAIT_BUCKETS_S: readonly number[] = [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1];

/** One checkpoint (flush + state write + commit), seconds: 100 µs .. 30 s. */
export const CHECKPOINT_DURATION_BUCKETS_S: readonly number[] = [1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** State cells written by one checkpoint. */
export const CHECKPOINT_SIZE_BUCKETS: readonly number[] = [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000];
