import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  buildComparisons, collectProvenance, newLatencyHistogram, parseBenchConfig, renderMarkdown, toStepResult, writeReport,
  type BenchReport, type StepMeasurement, type StepResult,
} from '../../../benchmarks/bench';

const config = parseBenchConfig({ durationSec: 1, warmupSec: 0 });

function step(variant: string, rate: number, latUs: number, mode: 'embedded' | 'kafka' = 'embedded', keep = true): StepResult {
  const h = newLatencyHistogram();
  const n = rate;
  for (let i = 0; i < n; i++) h.recordValue(latUs + (i % 10));
  const m: StepMeasurement = {
    mode, variant, offeredPps: rate, scheduled: n, sent: n, measuredScheduled: n, histogram: h, measuredVerdicts: keep ? n : n / 2,
    measureFromUs: 0, lastVerdictUs: 1e6, endUs: 1e6, maxScheduleLagUs: 0, aborted: false,
  };
  return toStepResult(m, config);
}

function report(steps: StepResult[]): BenchReport {
  return { name: 't', provenance: collectProvenance(config), setup: { machine: 'shared' }, steps, comparisons: buildComparisons(steps) };
}

describe('bench report', () => {
  const steps = [
    step('model-off', 1000, 300),
    step('model-batched', 1000, 900),
    step('model-batch1', 1000, 5000, 'embedded', false),
    step('kafka-1w', 2000, 4000, 'kafka'),
    step('kafka-2w', 2000, 3000, 'kafka'),
  ];

  it('markdown: percentiles in ms for steps that kept up, "could not keep up" and no figures for the others', () => {
    const md = renderMarkdown(report(steps));
    const rows = md.split('\n').filter((l) => l.startsWith('| embedded') || l.startsWith('| kafka'));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatch(/^\| embedded \| model-off \| 1,000 \| 1,000 \| 0\.30\d \|/);
    const bad = rows.find((r) => r.includes('model-batch1'))!;
    expect(bad).toContain('could not keep up');
    expect(bad).not.toMatch(/\| 5\.00\d \|/);
    expect(md).toContain('Commit ');
    expect(md).toContain('batched vs unbatched inference');
    expect(md).toContain('model on vs off');
    expect(md).toContain('Kafka: 2 workers vs 1');
  });

  it('comparisons: the model-cost ratio divides p99s of the same offered rate', () => {
    const c = buildComparisons(steps);
    const cost = c.find((x) => x.name.startsWith('model on vs off'))!;
    expect(cost.rows[0].a).toBe(steps[1].latencyUs!.p99);
    expect(cost.rows[0].b).toBe(steps[0].latencyUs!.p99);
    expect(cost.headline).toBeCloseTo(steps[1].latencyUs!.p99 / steps[0].latencyUs!.p99, 6);
    const batch = c.find((x) => x.name.startsWith('batched'))!;
    expect(batch.headlineText).toContain('batch 1 none');
  });

  it('writes report.json (with provenance and histograms), report.md and two SVG charts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-report-'));
    const w = await writeReport(report(steps), dir);
    const json = JSON.parse(readFileSync(w.json, 'utf8')) as BenchReport;
    expect(json.steps).toHaveLength(5);
    expect(json.provenance.machine.cores).toBeGreaterThan(0);
    expect(json.provenance.versions.node).toBe(process.version);
    expect(json.provenance.config.durationSec).toBe(1);
    expect(json.steps[0].histogram.length).toBeGreaterThan(10);
    expect(w.charts).toHaveLength(2);
    for (const c of w.charts) expect(readFileSync(c, 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(w.markdown, 'utf8')).toContain('![latency-vs-load.svg](latency-vs-load.svg)');
    expect(existsSync(path.join(dir, 'latency-distribution.svg'))).toBe(true);
  });
});
