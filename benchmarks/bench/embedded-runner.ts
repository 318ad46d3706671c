/**
 * Embedded mode: the in-process topology (topology/ runTopology) fed by the open-loop source; the
 * chain's main output (every record leaving its last operator, i.e. every verdict) goes to the
 * latency recorder. Side outputs (anomalies, mitigations, forensics) go nowhere (counted only), so
 * what is measured is the pipeline, not a file writer.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PacketEvent } from '../../schemas/types';
import { MAIN_OUTPUT_STREAM, planTopology, runTopology, silentLogger, type ValidatedTopology } from '../../topology';
import { BenchClock } from './bench-clock';
import type { BenchConfig } from './bench-config';
import { LatencyRecorder } from './latency-recorder';
import { OpenLoopSchedule } from './open-loop-schedule';
import { OpenLoopSource } from './open-loop-source';
import type { BenchProgress } from './progress';
import { toStepResult, type StepResult } from './step-result';

export interface EmbeddedStepInput {
  variant: string;
  topology: ValidatedTopology;
  rate: number;
  pool: readonly PacketEvent[];
  config: BenchConfig;
  progress?: BenchProgress;
}

export async function runEmbeddedStep(s: EmbeddedStepInput): Promise<StepResult> {
  const c = s.config;
  const plan = planTopology(s.topology);
  const clock = new BenchClock();
  const warmup = Math.round(s.rate * c.warmupSec);
  const total = warmup + Math.round(s.rate * c.durationSec);
  const schedule = new OpenLoopSchedule(s.rate, total);
  schedule.lagFrom = warmup;
  // Until the schedule begins nothing is measured (measureFrom = +inf).
  const recorder = new LatencyRecorder(clock, Number.POSITIVE_INFINITY);
  const source = new OpenLoopSource(s.pool, schedule, clock, {
    abortLagUs: c.keepUp.abortLagMs * 1000,
    onBegin: (sch) => (recorder.measureFromUs = Math.round(sch.intendedUs(warmup))),
  });
  // Was the process itself starved (shared CPUs) or busy? CPU share and event-loop stalls tell.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const step = `embedded ${s.variant} ${s.rate} pps`;
  const stats = await runTopology(plan, {
    source,
    sinks: { [MAIN_OUTPUT_STREAM]: recorder },
    logger: silentLogger(),
    progressIntervalMs: 1000,
    onProgress: () =>
      s.progress?.tick(step, `sent ${source.sent}/${total} verdicts ${recorder.verdicts} lag ${(schedule.maxLagUs / 1000).toFixed(1)} ms`),
  });
  const endUs = clock.nowUs();
  loopDelay.disable();
  const cpu = process.cpuUsage(cpu0);
  const cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100);
  return toStepResult(
    {
      mode: 'embedded',
      variant: s.variant,
      offeredPps: s.rate,
      scheduled: total,
      sent: source.sent,
      measuredScheduled: total - warmup,
      histogram: recorder.histogram,
      measuredVerdicts: recorder.measured,
      measureFromUs: recorder.measureFromUs,
      lastVerdictUs: recorder.lastMeasuredVerdictUs,
      endUs,
      maxScheduleLagUs: schedule.maxLagUs,
      aborted: source.aborted,
      throughput: { verdicts: recorder.verdicts, fromUs: schedule.startUs, toUs: recorder.lastVerdictUs },
      notes: { topology: s.topology.name, operators: plan.chain.map((l) => l.name), partitions: plan.partitions, sourcePauses: stats.sourcePauses, processCpuPct: cpuPct, eventLoopDelayMaxMs: Math.round(loopDelay.max / 1e4) / 100, outputs: stats.unroutedOutputs },
    },
    c,
  );
}
