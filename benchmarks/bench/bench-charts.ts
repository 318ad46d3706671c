/**
 * The report's charts as Vega-Lite specs (rendered to SVG with evaluation/charts/render-svg.ts):
 * latency percentiles against offered load per variant, and the latency distribution as a
 * percentile curve (x = 1/(1-p), log scale, the usual HDR plot) per step. Steps that could not
 * keep up have no percentiles and are left out of both (the table says why).
 */
import type { StepResult } from './step-result';

const seriesName = (s: StepResult): string => `${s.mode} ${s.variant}`;

export function latencyVsLoadSpec(steps: readonly StepResult[]): object {
  const values: Array<Record<string, unknown>> = [];
  for (const s of steps) {
    if (s.latencyUs === null) continue;
    for (const [q, v] of [['p50', s.latencyUs.p50], ['p99', s.latencyUs.p99], ['p99.9', s.latencyUs.p999]] as const) {
      values.push({ series: seriesName(s), percentile: q, offered: s.offeredPps, latencyMs: v / 1000 });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Latency (intended send -> verdict) against offered load',
    width: 520,
    height: 320,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'offered', type: 'quantitative', title: 'offered load (packets/s)' },
      y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: 'mode / variant' },
      strokeDash: { field: 'percentile', type: 'nominal', title: 'percentile', legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolStrokeColor: '#333' } },
    },
    config: { legend: { labelLimit: 400 } },
  };
}

export function percentileCurveSpec(steps: readonly StepResult[]): object {
  const values: Array<Record<string, unknown>> = [];
  for (const s of steps) {
    if (s.percentileCurve === null) continue;
    for (const pt of s.percentileCurve) {
      if (pt.percentile >= 100) continue;
      values.push({ step: `${seriesName(s)} @ ${s.offeredPps}`, x: 1 / (1 - pt.percentile / 100), percentile: pt.percentile, latencyMs: pt.latencyUs / 1000 });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Latency distribution (percentile curve)',
    width: 520,
    height: 320,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'percentile (1/(1-p): 2 = p50, 100 = p99, 1000 = p99.9)', scale: { type: 'log' } },
      y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
      color: { field: 'step', type: 'nominal', title: 'step' },
      tooltip: [{ field: 'percentile' }, { field: 'latencyMs' }],
    },
    config: { legend: { labelLimit: 400 } },
  };
}
