/**
 * The bench report as data: the steps, plus the comparisons the same run makes possible -
 * batched against unbatched inference, model on against off, and Kafka 2 workers against 1.
 */
import type { Provenance } from './provenance';
import type { StepResult } from './step-result';

/** Variant labels the comparisons look for (the default config's). */
export const VARIANT_MODEL_OFF = 'model-off';
export const VARIANT_BATCHED = 'model-batched';
export const VARIANT_BATCH1 = 'model-batch1';

export interface Comparison {
  name: string;
  /** What the ratio divides. */
  ratioOf: string;
  rows: Array<{ offeredPps: number; a: number | null; b: number | null; ratio: number | null; note?: string }>;
  /** Headline ratio (e.g. of the highest sustained rates), null when not measurable. */
  headline: number | null;
  headlineText: string;
}

export interface BenchReport {
  name: string;
  provenance: Provenance;
  /** How processes were placed on CPUs (kafka mode), and that the machine was shared. */
  setup: Record<string, unknown>;
  steps: StepResult[];
  comparisons: Comparison[];
}

/** Highest offered rate a variant kept up with (0: none). */
export function highestSustained(steps: readonly StepResult[], mode: string, variant: string): number {
  let best = 0;
  for (const s of steps) if (s.mode === mode && s.variant === variant && s.keptUp && s.offeredPps > best) best = s.offeredPps;
  return best;
}

function byRate(steps: readonly StepResult[], mode: string, variant: string): Map<number, StepResult> {
  const m = new Map<number, StepResult>();
  for (const s of steps) if (s.mode === mode && s.variant === variant) m.set(s.offeredPps, s);
  return m;
}

function compare(steps: readonly StepResult[], mode: string, a: string, b: string, name: string, ratioOf: string, pick: (s: StepResult) => number | null): Comparison | null {
  const A = byRate(steps, mode, a);
  const B = byRate(steps, mode, b);
  const rates = [...A.keys()].filter((r) => B.has(r)).sort((x, y) => x - y);
  if (rates.length === 0) return null;
  const rows = rates.map((r) => {
    const va = pick(A.get(r)!);
    const vb = pick(B.get(r)!);
    return { offeredPps: r, a: va, b: vb, ratio: va !== null && vb !== null && vb > 0 ? va / vb : null };
  });
  return { name, ratioOf, rows, headline: null, headlineText: '' };
}

export function buildComparisons(steps: readonly StepResult[]): Comparison[] {
  const out: Comparison[] = [];
  const achieved = (s: StepResult): number => s.achievedPps;
  const p99 = (s: StepResult): number | null => s.latencyUs?.p99 ?? null;

  const batch = compare(steps, 'embedded', VARIANT_BATCHED, VARIANT_BATCH1, 'batched vs unbatched inference (batch 1)', `achieved packets/s, ${VARIANT_BATCHED} / ${VARIANT_BATCH1}`, achieved);
  if (batch !== null) {
    const hb = highestSustained(steps, 'embedded', VARIANT_BATCHED);
    const h1 = highestSustained(steps, 'embedded', VARIANT_BATCH1);
    const top = batch.rows[batch.rows.length - 1];
    batch.headline = top.ratio;
    batch.headlineText = `at ${top.offeredPps} packets/s offered: batched achieved ${Math.round(top.a ?? 0)}/s, batch 1 ${Math.round(top.b ?? 0)}/s (ratio ${top.ratio?.toFixed(2) ?? 'n/a'}); highest rate kept up with: batched ${hb || 'none'}, batch 1 ${h1 || 'none'}`;
    out.push(batch);
  }
  const cost = compare(steps, 'embedded', VARIANT_BATCHED, VARIANT_MODEL_OFF, 'model on vs off (what the model costs)', `p99 latency µs, ${VARIANT_BATCHED} / ${VARIANT_MODEL_OFF}`, p99);
  if (cost !== null) {
    const hm = highestSustained(steps, 'embedded', VARIANT_BATCHED);
    const ho = highestSustained(steps, 'embedded', VARIANT_MODEL_OFF);
    const both = cost.rows.filter((r) => r.ratio !== null);
    const last = both[both.length - 1];
    cost.headline = last?.ratio ?? null;
    cost.headlineText = `${last === undefined ? 'no rate both kept up with' : `p99 at ${last.offeredPps} packets/s: model on ${last.a} µs, off ${last.b} µs`}; highest rate kept up with: model on ${hm || 'none'}, off ${ho || 'none'}`;
    out.push(cost);
  }
  const k1 = 'kafka-1w';
  const k2 = 'kafka-2w';
  const scale = compare(steps, 'kafka', k2, k1, 'Kafka: 2 workers vs 1', 'achieved packets/s, 2 workers / 1 worker', achieved);
  if (scale !== null) {
    const top = scale.rows[scale.rows.length - 1];
    scale.headline = top.ratio;
    const s1 = byRate(steps, 'kafka', k1).get(top.offeredPps)!;
    const s2 = byRate(steps, 'kafka', k2).get(top.offeredPps)!;
    scale.headlineText =
      s1.keptUp && s2.keptUp
        ? `both kept up with ${top.offeredPps} packets/s offered, so the throughput ratio (${top.ratio?.toFixed(2)}) only says both carried the offered load; scale-out shows at a rate one worker cannot carry`
        : `at ${top.offeredPps} packets/s offered: 2 workers ${Math.round(top.a ?? 0)}/s, 1 worker ${Math.round(top.b ?? 0)}/s, ratio ${top.ratio?.toFixed(2) ?? 'n/a'} (target >= 1.8)`;
    out.push(scale);
  }
  return out;
}
