/**
 * Writes a bench report into its results folder: report.json (everything, histograms included),
 * report.md (the tables a reader wants) and two SVG charts. A step that could not keep up shows
 * "could not keep up" and why, never percentiles.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderVegaLiteSvg } from '../../evaluation/charts/render-svg';
import { latencyVsLoadSpec, percentileCurveSpec } from './bench-charts';
import type { BenchReport } from './bench-report';
import type { StepResult } from './step-result';

export interface WrittenReport {
  dir: string;
  json: string;
  markdown: string;
  charts: string[];
}

const ms = (us: number): string => (us / 1000).toFixed(us < 10_000 ? 3 : 1);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function stepRow(s: StepResult): string {
  const head = `| ${s.mode} | ${s.variant} | ${int(s.offeredPps)} | ${int(s.achievedPps)} |`;
  const cpu = typeof s.notes.processCpuPct === 'number' ? ` (bench process had ${s.notes.processCpuPct}% of a CPU)` : '';
  if (s.latencyUs === null) return `${head} could not keep up: ${s.reasons.join('; ')}${cpu} | | | | |`;
  const l = s.latencyUs;
  return `${head} ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.p999)} | ${ms(l.max)} |`;
}

const num = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));

/** Busy share of the machine, split into these components and everything else (other work on a shared box). */
function machineLine(busyPct: number, cores: number, oursPct: number): string {
  const busy = (busyPct / 100) * cores;
  const ours = oursPct / 100;
  return `${busyPct.toFixed(0)}% of ${cores} CPUs = ${busy.toFixed(2)} cores: these components ${ours.toFixed(2)}, other processes ${Math.max(0, busy - ours).toFixed(2)}`;
}

/** The "CPU per packet" tables: one per Kafka step that has an accounting. */
export function renderCpuSection(steps: readonly StepResult[]): string[] {
  const withCpu = steps.filter((s) => s.cpu !== undefined);
  if (withCpu.length === 0) return [];
  const lines = ['## CPU per packet', ''];
  // The cheapest step is the most favourable extrapolation (fixed per-second costs spread widest).
  let best: StepResult | undefined;
  for (const s of withCpu) if (s.cpu!.total.usPerPacket !== null && (best === undefined || s.cpu!.total.usPerPacket < best.cpu!.total.usPerPacket!)) best = s;
  if (best !== undefined) {
    const c = best.cpu!;
    lines.push(`Lowest total among these steps: ${c.total.usPerPacket!.toFixed(1)} µs of CPU per packet (${best.variant} at ${int(best.offeredPps)}/s offered), so ${int(c.targetPps)} pkt/s would need ${c.coresAtTarget!.toFixed(2)} cores at that cost (this machine has ${c.machineCores}).`, '');
  }
  for (const s of withCpu) {
    const c = s.cpu!;
    lines.push(
      `### ${s.variant} @ ${int(s.offeredPps)} packets/s offered (achieved ${int(s.achievedPps)}/s${s.keptUp ? '' : ', could not keep up'})`,
      '',
      `Measured window ${c.windowSec.toFixed(2)} s, ${int(c.packets)} verdicts in it; clock ticks ${c.clockTicksPerSec}/s (${c.clockTicksSource}).`,
      '',
      '| component | pid (comm) | CPU s | CPU µs / packet | % of one core |',
      '|---|---|---:|---:|---:|',
      ...c.components.map((x) => `| ${x.name} | ${x.pid} (${x.comm ?? 'gone'}) | ${num(x.cpuSec, 2)} | ${num(x.usPerPacket, 1)} | ${num(x.utilPct, 0)} |`),
      `| **total** | | ${c.total.cpuSec.toFixed(2)} | ${num(c.total.usPerPacket, 1)} | ${c.total.utilPct.toFixed(0)} |`,
      '',
      `Machine busy over the window (every process, ours or not): ${c.machineBusyPct === null ? 'unknown' : machineLine(c.machineBusyPct, c.machineCores, c.total.utilPct)}.`,
      `CPU needed for ${int(c.targetPps)} pkt/s at these costs = ${c.coresAtTarget === null ? 'unknown (no verdicts in the window)' : `${c.coresAtTarget.toFixed(2)} cores`} (this machine has ${c.machineCores}).`,
      '',
    );
  }
  return lines;
}

export function renderMarkdown(r: BenchReport, chartFiles: string[] = []): string {
  const p = r.provenance;
  const lines = [
    `# prescient bench: ${r.name}`,
    '',
    `${p.date}. ${p.machine.cores} x ${p.machine.cpuModel}, ${p.machine.memGiB} GiB, load average at start ${p.machine.loadAvgAtStart.join(' / ')}; Node ${p.versions.node} (${p.node.flags}), Kafka ${p.versions.kafka}, Redis ${p.versions.redis}, kafkajs ${p.versions.kafkajs}. Commit ${p.git.commit}${p.git.dirty ? ' (working tree dirty)' : ''}.`,
    '',
    `Open loop: packet i is due at start + i / rate and carries that intended time as its capture timestamp; latency = verdict (the record leaving the last operator) - intended time, so a stall is charged to every packet it delays. ${r.provenance.config.warmupSec} s warm-up (not measured) + ${r.provenance.config.durationSec} s measured per step. Times in ms.`,
    '',
    '## Setup',
    '',
    ...Object.entries(r.setup).map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
    '',
    '## Steps',
    '',
    '| mode | variant | offered /s | achieved /s | p50 | p90 | p99 | p99.9 | max |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.steps.map(stepRow),
    '',
  ];
  lines.push(...renderCpuSection(r.steps));
  if (r.comparisons.length > 0) {
    lines.push('## Baselines in the same run', '');
    for (const c of r.comparisons) {
      lines.push(`### ${c.name}`, '', `${c.headlineText}.`, '', `| offered /s | ${c.ratioOf} | ratio |`, '|---:|---|---:|');
      for (const row of c.rows) lines.push(`| ${int(row.offeredPps)} | ${row.a === null ? '-' : int(row.a)} / ${row.b === null ? '-' : int(row.b)} | ${row.ratio === null ? '-' : row.ratio.toFixed(2)} |`);
      lines.push('');
    }
  }
  if (chartFiles.length > 0) {
    lines.push('## Charts', '', ...chartFiles.map((f) => `![${f}](${f})`), '');
  }
  lines.push('Config as run: see report.json (`provenance.config`); raw HDR histograms (µs, compressed base64) per step are there too.', '');
  return lines.join('\n');
}

/** Writes report.json, the charts and report.md into `dir` (created). Charts that fail to render are noted, not fatal. */
export async function writeReport(r: BenchReport, dir: string, opts: { charts?: boolean } = {}): Promise<WrittenReport> {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'report.json');
  writeFileSync(json, JSON.stringify(r, null, 2));
  const charts: string[] = [];
  if (opts.charts ?? true) {
    for (const [file, spec] of [['latency-vs-load.svg', latencyVsLoadSpec(r.steps)], ['latency-distribution.svg', percentileCurveSpec(r.steps)]] as const) {
      try {
        writeFileSync(path.join(dir, file), await renderVegaLiteSvg(spec, file));
        charts.push(file);
      } catch (err) {
        r.setup[`chart ${file}`] = `not rendered: ${(err as Error).message}`;
      }
    }
  }
  const markdown = path.join(dir, 'report.md');
  writeFileSync(markdown, renderMarkdown(r, charts));
  return { dir, json, markdown, charts: charts.map((c) => path.join(dir, c)) };
}
