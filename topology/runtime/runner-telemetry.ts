/**
 * Registers a task runner's counts with the metrics, read only at scrape time: records into each
 * operator (Task.stats), mailbox depth, and the partition's lag. `release()` when the task goes
 * (end of run, partition revoked): its operator counts stay in the cumulative counter.
 */
import type { RuntimeMetrics, Tracked } from '../../telemetry';
import type { TaskRunner } from './task-runner';

/** Stream the mitigate operator emits its decisions on. */
export const MITIGATIONS_STREAM = 'mitigations';

export function trackRunner(metrics: RuntimeMetrics, runner: TaskRunner, lag: () => number): Tracked {
  if (!metrics.enabled) return { release: () => undefined };
  const label = String(runner.partition);
  const stats = runner.task.stats;
  const tracked = [
    metrics.observeOperatorRecords((emit) => {
      for (const s of stats) emit(s.name, s.recordsIn);
    }),
    metrics.observeMailboxDepth((emit) => emit(label, runner.mailbox.size)),
    metrics.observeConsumerLag((emit) => emit(label, lag())),
  ];
  return { release: () => tracked.forEach((t) => t.release()) };
}

/** Counts a value emitted on `stream` when it is a mitigation decision. */
export function countMitigation(metrics: RuntimeMetrics, stream: string, value: unknown): void {
  if (stream !== MITIGATIONS_STREAM || !metrics.enabled) return;
  const action = (value as { action?: unknown } | null)?.action;
  metrics.countMitigation(typeof action === 'string' ? action : 'unknown');
}
