/**
 * One bench step (one mode/variant at one offered rate) summarised from its histogram, and the
 * "could not keep up" verdict: a step whose achieved rate fell short of the offered one, whose
 * generator fell behind its schedule, or that did not drain, gets no percentiles in the report
 * (they would describe a different, lower load than the one offered).
 */
import type { Histogram } from 'hdr-histogram-js';
import type { BenchConfig } from './bench-config';
import type { StepCpu } from './cpu-accounting';
import { encodeHistogram } from './latency-recorder';

export interface LatencySummaryUs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export interface StepResult {
  mode: 'embedded' | 'kafka';
  /** Variant label (embedded) or `kafka-<n>w`. */
  variant: string;
  workers?: number;
  offeredPps: number;
  warmupSec: number;
  durationSec: number;
  /** Packets the schedule had (warm-up + measured) and those the generator handed over. */
  scheduled: number;
  sent: number;
  /** Measured packets scheduled, and verdicts seen for them. */
  measuredScheduled: number;
  measuredVerdicts: number;
  achievedPps: number;
  maxScheduleLagMs: number;
  aborted: boolean;
  drained: boolean;
  keptUp: boolean;
  /** Why the step could not keep up (empty when it did). */
  reasons: string[];
  /** Null when the step could not keep up: those figures would mislead. */
  latencyUs: LatencySummaryUs | null;
  /** Latency at each percentile of PERCENTILE_CURVE (null when not kept up). */
  percentileCurve: Array<{ percentile: number; latencyUs: number }> | null;
  /** The raw HDR histogram (compressed base64, µs), kept even when not kept up, for inspection. */
  histogram: string;
  /** Mode-specific facts (pinning, partitions, outputs). */
  notes: Record<string, unknown>;
  /** CPU per packet per process over the measured window (Kafka mode). */
  cpu?: StepCpu;
}

export const PERCENTILE_CURVE = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100];

export interface StepMeasurement {
  mode: 'embedded' | 'kafka';
  variant: string;
  workers?: number;
  offeredPps: number;
  scheduled: number;
  sent: number;
  measuredScheduled: number;
  histogram: Histogram;
  measuredVerdicts: number;
  /** Start of the measured interval (intended time of its first packet) and the last measured verdict. */
  measureFromUs: number;
  lastVerdictUs: number;
  /** When the runner stopped waiting (used for achieved rate when the step did not drain). */
  endUs: number;
  maxScheduleLagUs: number;
  aborted: boolean;
  /**
   * Throughput over the whole step (warm-up included): verdicts from the schedule's start to the
   * last verdict. When absent, the measured packets' verdicts over the measured interval.
   */
  throughput?: { verdicts: number; fromUs: number; toUs: number };
  notes?: Record<string, unknown>;
  cpu?: StepCpu;
}

export function judgeKeepUp(
  m: { offeredPps: number; achievedPps: number; maxScheduleLagMs: number; aborted: boolean; drained: boolean },
  k: BenchConfig['keepUp'],
): string[] {
  const reasons: string[] = [];
  if (m.aborted) reasons.push(`generator stopped: more than ${k.abortLagMs} ms behind its schedule`);
  else if (!m.drained) reasons.push('not every measured packet got a verdict before the drain timeout');
  if (m.achievedPps < m.offeredPps * k.minAchievedRatio) {
    reasons.push(`achieved ${Math.round(m.achievedPps)} packets/s < ${(k.minAchievedRatio * 100).toFixed(0)}% of offered ${m.offeredPps}`);
  }
  if (m.maxScheduleLagMs > k.maxScheduleLagMs) reasons.push(`generator fell ${m.maxScheduleLagMs.toFixed(1)} ms behind its schedule (limit ${k.maxScheduleLagMs} ms)`);
  return reasons;
}

export function summarize(h: Histogram): LatencySummaryUs {
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    mean: h.mean,
    count: h.totalCount,
  };
}

export function toStepResult(m: StepMeasurement, c: BenchConfig): StepResult {
  const drained = m.measuredVerdicts >= m.measuredScheduled && !m.aborted;
  let achievedPps: number;
  if (m.throughput !== undefined) {
    const t = m.throughput;
    const span = (drained ? t.toUs : Math.max(m.endUs, t.toUs)) - t.fromUs;
    achievedPps = span > 0 ? (t.verdicts * 1e6) / span : 0;
  } else {
    const spanUs = (drained ? m.lastVerdictUs : Math.max(m.endUs, m.lastVerdictUs)) - m.measureFromUs;
    achievedPps = spanUs > 0 ? (m.measuredVerdicts * 1e6) / spanUs : 0;
  }
  const maxScheduleLagMs = m.maxScheduleLagUs / 1000;
  const reasons = judgeKeepUp({ offeredPps: m.offeredPps, achievedPps, maxScheduleLagMs, aborted: m.aborted, drained }, c.keepUp);
  const keptUp = reasons.length === 0;
  const h = m.histogram;
  return {
    mode: m.mode,
    variant: m.variant,
    workers: m.workers,
    offeredPps: m.offeredPps,
    warmupSec: c.warmupSec,
    durationSec: c.durationSec,
    scheduled: m.scheduled,
    sent: m.sent,
    measuredScheduled: m.measuredScheduled,
    measuredVerdicts: m.measuredVerdicts,
    achievedPps,
    maxScheduleLagMs,
    aborted: m.aborted,
    drained,
    keptUp,
    reasons,
    latencyUs: keptUp && h.totalCount > 0 ? summarize(h) : null,
    percentileCurve: keptUp && h.totalCount > 0 ? PERCENTILE_CURVE.map((p) => ({ percentile: p, latencyUs: h.getValueAtPercentile(p) })) : null,
    histogram: encodeHistogram(h),
    notes: m.notes ?? {},
    ...(m.cpu === undefined ? {} : { cpu: m.cpu }),
  };
}
