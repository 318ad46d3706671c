/**
 * `prescient bench` end to end: check everything that can be checked before running (configs,
 * topologies, worker counts), load the traffic once, run the embedded steps (each variant at each
 * rate, slowest first) and the Kafka steps, then write the report.
 */
import * as path from 'node:path';
import { repoRoot } from '../../operators/policy/load-policy';
import type { ValidatedTopology } from '../../topology';
import type { BenchConfig } from './bench-config';
import { BenchConfigError } from './bench-errors';
import { buildComparisons, type BenchReport } from './bench-report';
import { loadBenchTopology } from './bench-topology';
import { runEmbeddedStep } from './embedded-runner';
import { planKafkaBench, runKafkaSteps } from './kafka-runner';
import { BenchProgress } from './progress';
import { collectProvenance } from './provenance';
import { writeReport, type WrittenReport } from './report-writer';
import type { StepResult } from './step-result';
import { loadTrafficPool } from './traffic-pool';

export interface BenchRunOptions {
  config: BenchConfig;
  configFile?: string;
  /** Results folder (default benchmarks/results/bench-<date>). */
  outDir?: string;
  progress?: BenchProgress;
  charts?: boolean;
}

export interface BenchRunResult {
  report: BenchReport;
  written: WrittenReport;
}

export function defaultResultsDir(date = new Date()): string {
  return path.join(repoRoot(), 'benchmarks', 'results', `bench-${date.toISOString().slice(0, 10)}`);
}

function fmtStep(s: StepResult): string {
  const head = `${s.mode} ${s.variant} @ ${s.offeredPps}/s: achieved ${Math.round(s.achievedPps)}/s`;
  if (s.latencyUs === null) return `${head}, could not keep up (${s.reasons.join('; ')})`;
  const l = s.latencyUs;
  return `${head}, p50 ${(l.p50 / 1000).toFixed(2)} ms p99 ${(l.p99 / 1000).toFixed(2)} ms p99.9 ${(l.p999 / 1000).toFixed(2)} ms max ${(l.max / 1000).toFixed(2)} ms`;
}

export async function runBench(o: BenchRunOptions): Promise<BenchRunResult> {
  const c = o.config;
  const file = o.configFile ?? '<bench config>';
  const progress = o.progress ?? new BenchProgress();
  // Everything that can be refused is refused before the first packet.
  const variants: Array<{ label: string; topology: ValidatedTopology }> = [];
  if (c.modes.includes('embedded')) {
    c.embedded.variants.forEach((v, i) => variants.push({ label: v.label, topology: loadBenchTopology(v.topology, v, `embedded.variants[${i}]`, file) }));
  }
  const kafkaPlan = c.modes.includes('kafka') ? planKafkaBench(c, file) : null;
  const rates = [...(c.modes.includes('embedded') ? c.embedded.rates : []), ...(c.modes.includes('kafka') ? c.kafka.rates : [])];
  const need = Math.ceil(Math.max(...rates) * (c.warmupSec + c.durationSec));
  if (need > c.packets) throw new BenchConfigError(file, 'packets', `the fastest step needs ${need} packets`);
  progress.line(`bench ${c.name}: loading ${need} packets of ${c.traffic.kind} traffic ...`);
  const pool = await loadTrafficPool(c.traffic, need, file);

  const steps: StepResult[] = [];
  const setup: Record<string, unknown> = {
    // Other work on the box moves every figure: the load average at start is in the provenance line.
    machine: 'compare rows of one run only (see the load average at start)',
    traffic: c.traffic,
  };
  for (const v of variants) {
    for (const rate of [...c.embedded.rates].sort((a, b) => a - b)) {
      progress.line(`embedded ${v.label} @ ${rate}/s ...`);
      const r = await runEmbeddedStep({ variant: v.label, topology: v.topology, rate, pool, config: c, progress });
      steps.push(r);
      progress.line(`  ${fmtStep(r)}`);
    }
  }
  if (kafkaPlan !== null) {
    const k = await runKafkaSteps(kafkaPlan, c, pool, progress, (r) => progress.line(`  ${fmtStep(r)}`));
    steps.push(...k.steps);
    Object.assign(setup, k.setup);
  }
  const report: BenchReport = { name: c.name, provenance: collectProvenance(c), setup, steps, comparisons: buildComparisons(steps) };
  const written = await writeReport(report, o.outDir ?? defaultResultsDir(), { charts: o.charts });
  progress.line(`report: ${written.markdown}`);
  return { report, written };
}
