/** The evaluation report: ranking metrics, the detector's own verdicts, and per-attack detection. */
import { averagePrecision, descendingOrder, rocAuc, rocCurve, tprAtFpr, type OperatingPoint, type RocCurve } from './metrics/ranking';
import { detectAttacks, type AttackDetection, type AttackRef, type DetectionOptions } from './metrics/detection';
import type { ScoreColumns } from './score-table';

/** The false-positive budgets the report gives the detection rate at. */
export const REPORT_FPRS = [0.001, 0.01] as const;

export interface VerdictCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  tpr: number;
  fpr: number;
  precision: number;
}

/** Ranking quality of one per-packet quantity. */
export interface RankingMetrics {
  /** Exact ROC AUC (ties count half); null when a class is empty. */
  auc: number | null;
  averagePrecision: number | null;
  /** Best TPR at each budget of REPORT_FPRS, with the global threshold on the quantity that gives it. */
  tprAtFpr: OperatingPoint[];
}

export interface EvalReport {
  packets: number;
  attackPackets: number;
  vms: number;
  /** Exact ROC AUC (ties count half); null when a class is empty. */
  auc: number | null;
  averagePrecision: number | null;
  /** Best TPR at each budget of REPORT_FPRS, with the global score threshold that gives it. */
  tprAtFpr: OperatingPoint[];
  /**
   * The same metrics ranking by score / the VM's threshold at the packet. Scores of different VMs
   * live on different scales (each VM has its own threshold); this ranking is the one the
   * detector's own verdict (margin > 1) uses, so it is the fairer one for a per-VM detector.
   */
  perVmNormalised: RankingMetrics;
  /** The operator's own per-VM-threshold verdicts (record.score.anomalous). */
  verdicts: VerdictCounts;
  attacks: AttackDetection[];
  /**
   * With a warm-up (EvaluateOptions.warmupUs): the same rankings over the packets after it only. The
   * packets before it are still processed (the profiles learn from them) but not ranked: the split of
   * train and test time of an unsupervised detector. The whole-run figures above are always kept.
   */
  afterWarmup?: AfterWarmupMetrics;
}

export interface AfterWarmupMetrics {
  warmupSec: number;
  packets: number;
  attackPackets: number;
  score: RankingMetrics;
  perVmNormalised: RankingMetrics;
}

export interface EvaluateOptions extends DetectionOptions {
  /** Rank also the packets this long after the first one, alone (EvalReport.afterWarmup). */
  warmupUs?: number;
}

export interface EvaluateResult {
  report: EvalReport;
  /** Full ROC curves (one point per distinct value), for plotting. */
  roc: RocCurve;
  rocNormalised: RocCurve;
}

function ranking(values: Float32Array, labels: Uint8Array): { metrics: RankingMetrics; roc: RocCurve } {
  const order = descendingOrder(values);
  const roc = rocCurve(values, labels, order);
  return {
    roc,
    metrics: {
      auc: orNull(rocAuc(values, labels, order)),
      averagePrecision: orNull(averagePrecision(values, labels, order)),
      tprAtFpr: REPORT_FPRS.map((f) => tprAtFpr(roc, f)),
    },
  };
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The rankings over the packets at or after `fromUs` (event time). */
function afterWarmup(cols: ScoreColumns, warmupUs: number): AfterWarmupMetrics {
  let t0 = Number.POSITIVE_INFINITY;
  for (let i = 0; i < cols.tsUs.length; i++) if (cols.tsUs[i] < t0) t0 = cols.tsUs[i];
  const fromUs = t0 + warmupUs;
  let n = 0;
  for (let i = 0; i < cols.tsUs.length; i++) if (cols.tsUs[i] >= fromUs) n++;
  const scores = new Float32Array(n), margins = new Float32Array(n), labels = new Uint8Array(n);
  let k = 0, positives = 0;
  for (let i = 0; i < cols.tsUs.length; i++) {
    if (cols.tsUs[i] < fromUs) continue;
    scores[k] = cols.scores[i];
    margins[k] = cols.margins[i];
    labels[k] = cols.labels[i];
    positives += labels[k];
    k++;
  }
  return { warmupSec: warmupUs / 1e6, packets: n, attackPackets: positives, score: ranking(scores, labels).metrics, perVmNormalised: ranking(margins, labels).metrics };
}

export function evaluateScores(cols: ScoreColumns, attacks: readonly AttackRef[], options: EvaluateOptions = {}): EvaluateResult {
  const raw = ranking(cols.scores, cols.labels);
  const norm = ranking(cols.margins, cols.labels);
  const roc = raw.roc;
  let tp = 0, fp = 0;
  for (let i = 0; i < cols.scores.length; i++) {
    if (!cols.anomalous[i]) continue;
    if (cols.labels[i]) tp++; else fp++;
  }
  const fn = roc.positives - tp;
  const tn = roc.negatives - fp;
  return {
    roc,
    rocNormalised: norm.roc,
    report: {
      packets: cols.scores.length,
      attackPackets: roc.positives,
      vms: cols.vmIds.length,
      ...raw.metrics,
      perVmNormalised: norm.metrics,
      verdicts: {
        tp, fp, fn, tn,
        tpr: roc.positives > 0 ? tp / roc.positives : 0,
        fpr: roc.negatives > 0 ? fp / roc.negatives : 0,
        precision: tp + fp > 0 ? tp / (tp + fp) : 0,
      },
      attacks: detectAttacks(cols, attacks, options),
      ...(options.warmupUs !== undefined && options.warmupUs > 0 ? { afterWarmup: afterWarmup(cols, options.warmupUs) } : {}),
    },
  };
}

/** The report as the terminal shows it. */
export function formatReport(r: EvalReport): string {
  const f = (x: number | null, d = 4): string => (x === null ? 'n/a' : x.toFixed(d));
  const block = (name: string, m: RankingMetrics): string[] => [
    `${name}: ROC AUC ${f(m.auc)}   average precision ${f(m.averagePrecision)}`,
    ...m.tprAtFpr.map((p) => `  TPR at FPR ${p.maxFpr}: ${f(p.tpr)} (FPR ${p.fpr.toExponential(2)}, at >= ${Number.isFinite(p.threshold) ? p.threshold.toPrecision(4) : 'inf'})`),
  ];
  const lines = [
    `packets ${r.packets.toLocaleString('en-US')} (attack ${r.attackPackets.toLocaleString('en-US')}) on ${r.vms} VMs`,
    ...block('score', r),
    ...block('score / VM threshold', r.perVmNormalised),
    `verdicts (per-VM thresholds): TPR ${f(r.verdicts.tpr)}  FPR ${r.verdicts.fpr.toExponential(2)}  precision ${f(r.verdicts.precision)}  (tp ${r.verdicts.tp}, fp ${r.verdicts.fp})`,
  ];
  const w = r.afterWarmup;
  if (w !== undefined) {
    lines.push(`after the first ${w.warmupSec} s (learnt from, not ranked): packets ${w.packets.toLocaleString('en-US')} (attack ${w.attackPackets.toLocaleString('en-US')})`);
    lines.push(...block('  score', w.score), ...block('  score / VM threshold', w.perVmNormalised));
  }
  if (r.attacks.length > 0) {
    lines.push('attack                         vm              known-peer  packets  recall   delay');
    for (const a of r.attacks) {
      const delay = a.delayMs === 'missed' ? 'missed' : `${a.delayMs.toFixed(1)} ms`;
      lines.push(`${`${a.id} ${a.kind}`.slice(0, 30).padEnd(30)} ${a.vmId.padEnd(15)} ${String(a.knownPeer).padEnd(11)} ${String(a.packets).padStart(7)}  ${a.recall.toFixed(3)}  ${delay}`);
    }
  }
  return lines.join('\n');
}
