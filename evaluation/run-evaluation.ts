/**
 * One evaluation end to end: run a topology over a labelled source, compute the report, and write
 * eval.json, scores.svg and roc.svg into a directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PacketSource } from '../sources/source';
import type { AttackLabel } from '../sources/synthetic';
import { defaultTopologyPath, loadTopologyFile, planTopology, type RunStats, type RuntimeLogger } from '../topology';
import { renderVegaLiteSvg } from './charts/render-svg';
import { rocSpec } from './charts/roc-chart';
import { scoreTimelineSpec } from './charts/score-timeline';
import { collectScores, labelerFor } from './collect-scores';
import { evaluateScores, type EvalReport } from './eval-report';

export interface EvaluationRun {
  /** Topology YAML; default topology/default.yaml. */
  topologyFile?: string;
  source: PacketSource;
  labels: readonly AttackLabel[];
  outDir: string;
  /** Skip the SVG charts (benchmarks that only need the numbers). */
  charts?: boolean;
  onProgress?: (stats: RunStats) => void;
  logger?: RuntimeLogger;
  /** Also rank the packets after this many seconds alone (EvalReport.afterWarmup). */
  warmupSec?: number;
}

export interface EvaluationOutcome {
  report: EvalReport;
  topology: string;
  topologyFile: string;
  run: RunStats;
  unscored: number;
  files: { json: string; scores?: string; roc?: string };
}

export async function runEvaluation(e: EvaluationRun): Promise<EvaluationOutcome> {
  const topologyFile = resolve(e.topologyFile ?? defaultTopologyPath());
  const topology = loadTopologyFile(topologyFile);
  const plan = planTopology(topology);
  const collected = await collectScores(plan, e.source, labelerFor(e.labels), { onProgress: e.onProgress, logger: e.logger });
  const cols = collected.table.view();
  const { report, roc, rocNormalised } = evaluateScores(cols, e.labels, { warmupUs: e.warmupSec !== undefined ? e.warmupSec * 1e6 : undefined });
  mkdirSync(e.outDir, { recursive: true });
  const files: EvaluationOutcome['files'] = { json: join(e.outDir, 'eval.json') };
  writeFileSync(files.json, JSON.stringify({
    topology: topology.name,
    topologyFile,
    source: e.source.description,
    run: { packets: collected.run.packetsIn, wallMs: Math.round(collected.run.wallMs), packetsPerSec: Math.round(collected.run.packetsPerSec) },
    unscored: collected.unscored,
    labels: e.labels,
    report,
  }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
  if (e.charts !== false) {
    const strict = report.tprAtFpr[0];
    files.scores = join(e.outDir, 'scores.svg');
    writeFileSync(files.scores, await renderVegaLiteSvg(scoreTimelineSpec(cols, report.attacks, {
      title: `${topology.name}: per-packet score over time, attacks shaded`,
      threshold: { value: strict.threshold, label: `score at FPR ${strict.maxFpr} (TPR ${strict.tpr.toFixed(3)})` },
    }), 'scores.svg'));
    files.roc = join(e.outDir, 'roc.svg');
    writeFileSync(files.roc, await renderVegaLiteSvg(rocSpec([
      { name: 'score', curve: roc, auc: report.auc, points: report.tprAtFpr },
      { name: 'score / VM threshold', curve: rocNormalised, auc: report.perVmNormalised.auc, points: report.perVmNormalised.tprAtFpr },
    ], `${topology.name}: ROC per packet`), 'roc.svg'));
  }
  return { report, topology: topology.name, topologyFile, run: collected.run, unscored: collected.unscored, files };
}
