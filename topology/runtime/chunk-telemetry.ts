/**
 * What a chunk reaching the end of the chain means for telemetry: each of its packets got its
 * verdict now, so the latency histogram takes (now - capture timestamp) for all of them in one
 * loop, and the packets the sampler picks get a trace built from the stage times the task kept.
 * One instance per task runner; the span input object is reused.
 */
import type { PacketSpanInput, Telemetry } from '../../telemetry';
import type { Task } from './task';

export class ChunkTelemetry {
  private readonly span: PacketSpanInput;

  constructor(private readonly telemetry: Telemetry, private readonly task: Task) {
    this.span = {
      key: '',
      partition: task.partition,
      offset: 0,
      captureTsUs: 0,
      verdictUs: 0,
      startMs: 0,
      endMs: 0,
      operators: task.stats.map((s) => s.name),
      stageStartMs: task.stageStartMs,
      stageEndMs: task.stageEndMs,
      chunkSize: 0,
    };
  }

  /** Only worth calling when some telemetry is on. */
  static wanted(t: Telemetry | undefined): t is Telemetry {
    return t !== undefined && (t.metrics.enabled || t.tracing.enabled);
  }

  /** `n` records (first input offset `offset`) reached the verdict at `nowUs`. */
  chunkDone(keys: readonly string[], captureTsUs: ArrayLike<number>, n: number, offset: number, nowUs: number): void {
    const { metrics, tracing } = this.telemetry;
    if (metrics.enabled) metrics.recordLatencies(captureTsUs, n, nowUs);
    if (!tracing.enabled) return;
    const k = tracing.pick(n);
    if (k === 0) return;
    const s = this.span;
    const stages = this.task.stageStartMs.length;
    s.startMs = stages > 0 ? this.task.stageStartMs[0] : performance.now();
    s.endMs = performance.now();
    s.verdictUs = nowUs;
    s.chunkSize = n;
    const picked = tracing.picked;
    for (let i = 0; i < k; i++) {
      const j = picked[i];
      s.key = keys[j];
      s.offset = offset + j;
      s.captureTsUs = captureTsUs[j];
      tracing.trace(s);
    }
  }
}
