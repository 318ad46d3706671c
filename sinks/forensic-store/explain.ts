/**
 * The explain view of one anomaly: per feature, what the model (or the baseline) expected against what
 * the packet was, the feature's weighted score term and its share of the score; the baseline snapshot;
 * which feature drove it; and what was done. The terms are the stored breakdown, unchanged: they sum to
 * the score (up to float rounding).
 */
import type { BaselineSnapshot, ForensicRecord, MitigationDecision, PredictedPacket, ScoreBreakdown } from '../../schemas/types';
import { shannonEntropy } from '../../operators';
import { anomalySeverity } from './record-rows';
import { scoreRatio, type Severity } from './severity';

export type FeatureName = keyof ScoreBreakdown;
export const FEATURES: readonly FeatureName[] = ['size', 'flags', 'entropy', 'iat', 'baseline'];

export interface FeatureExplanation {
  feature: FeatureName;
  /** Measured on the packet; null where the record does not hold it (inter-arrival, baseline). */
  actual: number | null;
  /** The expectation the term was computed against; null for the baseline term (a deviation, not a value). */
  predicted: number | null;
  /** The weighted score term, as stored. */
  term: number;
  /** term / score. */
  share: number;
}

export interface Explanation {
  anomalyId: string;
  tsUs: number;
  vmId: string;
  accountId: string;
  vnetId: string;
  score: number;
  threshold: number;
  ratio: number;
  severity: Severity;
  /** Sum of the feature terms (equals score). */
  termSum: number;
  features: FeatureExplanation[];
  /** The feature with the largest term, and the one the scorer named (they agree). */
  drivenBy: FeatureName;
  topFeature: string;
  baseline: BaselineSnapshot;
  modelVersion: string;
  decision: MitigationDecision | null;
  incidentId: string | null;
  reconstructed: PredictedPacket[];
}

export function explain(rec: ForensicRecord): Explanation {
  const a = rec.anomaly;
  const p = a.actual;
  const b = a.breakdown;
  const payload = p.payload ?? Buffer.alloc(0);
  const actual: Record<FeatureName, number | null> = {
    size: p.size,
    flags: p.tcpFlags,
    // Entropy of the stored payload sample: the sample the `entropy` operator measured.
    entropy: shannonEntropy(payload),
    iat: null,
    baseline: null,
  };
  const predicted: Record<FeatureName, number | null> = { size: a.predicted.size, flags: a.predicted.tcpFlags, entropy: a.predicted.entropy, iat: a.predicted.iatUs, baseline: null };
  let termSum = 0;
  let drivenBy: FeatureName = 'size';
  for (const f of FEATURES) {
    termSum += b[f];
    if (b[f] > b[drivenBy]) drivenBy = f;
  }
  return {
    anomalyId: a.id,
    tsUs: a.tsUs,
    vmId: a.vmId,
    accountId: a.accountId,
    vnetId: a.vnetId,
    score: a.score,
    threshold: a.threshold,
    ratio: scoreRatio(a.score, a.threshold),
    severity: anomalySeverity(rec),
    termSum,
    features: FEATURES.map((f) => ({ feature: f, actual: actual[f], predicted: predicted[f], term: b[f], share: a.score > 0 ? b[f] / a.score : 0 })),
    drivenBy,
    topFeature: a.topFeature,
    baseline: a.baseline,
    modelVersion: a.modelVersion,
    decision: rec.decision,
    incidentId: rec.incidentId,
    reconstructed: rec.reconstructed,
  };
}

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

export function flagNames(bits: number): string {
  const names = FLAG_NAMES.filter((_n, i) => (bits >> i) & 1);
  return names.length > 0 ? names.join(',') : '-';
}

function num(x: number | null, digits = 2): string {
  if (x === null) return 'n/a';
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

function valueOf(f: FeatureName, x: number | null): string {
  if (x === null) return f === 'iat' ? 'not stored' : '-';
  if (f === 'flags') return `${flagNames(x)} (0x${x.toString(16).padStart(2, '0')})`;
  if (f === 'size') return `${num(x, 0)} B`;
  if (f === 'iat') return `${num(x, 0)} us`;
  if (f === 'entropy') return `${x.toFixed(2)} bit/B`;
  return num(x);
}

/** Plain-text rendering for the terminal. */
export function formatExplanation(e: Explanation, actualPacket: ForensicRecord['anomaly']['actual']): string {
  const p = actualPacket;
  const lines: string[] = [];
  lines.push(`anomaly ${e.anomalyId}`);
  lines.push(`  time      ${new Date(e.tsUs / 1000).toISOString()} (${e.tsUs} us)`);
  lines.push(`  vm        ${e.vmId}  account ${e.accountId}  vnet ${e.vnetId}`);
  lines.push(`  packet    ${p.direction} ${protoName(p.protocol)} ${p.srcIp}:${p.srcPort} -> ${p.dstIp}:${p.dstPort}  ${p.size} B  flags ${flagNames(p.tcpFlags)}  payload ${p.payloadLength} B (${p.payload.length} B sample stored)`);
  lines.push(`  score     ${e.score.toFixed(4)}  threshold ${e.threshold.toFixed(4)}  ratio ${e.ratio.toFixed(2)}  severity ${e.severity}  model ${e.modelVersion}`);
  lines.push('');
  lines.push(`  ${'feature'.padEnd(9)} ${'actual'.padEnd(20)} ${'predicted'.padEnd(20)} ${'term'.padStart(10)} ${'share'.padStart(7)}`);
  for (const f of e.features) {
    const mark = f.feature === e.drivenBy ? '  <- drove it' : '';
    lines.push(`  ${f.feature.padEnd(9)} ${valueOf(f.feature, f.actual).padEnd(20)} ${valueOf(f.feature, f.predicted).padEnd(20)} ${f.term.toFixed(4).padStart(10)} ${(f.share * 100).toFixed(1).padStart(6)}%${mark}`);
  }
  lines.push(`  ${'sum'.padEnd(9)} ${''.padEnd(20)} ${''.padEnd(20)} ${e.termSum.toFixed(4).padStart(10)}  (= score)`);
  lines.push('');
  const s = e.baseline;
  lines.push(`  baseline  ${s.scope} ${s.key}: ${s.packets} packets; size ${s.meanSize.toFixed(1)} +/- ${s.stdSize.toFixed(1)} B; inter-arrival ${s.meanIatUs.toFixed(0)} +/- ${s.stdIatUs.toFixed(0)} us; entropy ${s.meanEntropy.toFixed(2)} +/- ${s.stdEntropy.toFixed(2)}`);
  lines.push(`            protocols ${Object.entries(s.protocolMix).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(', ')}; ${s.distinctPeers} peers, ${s.distinctPorts} ports`);
  const d = e.decision;
  lines.push(`  decision  ${d === null ? 'none' : `${d.action}${d.dryRun ? ' (dry run)' : ''} since ${new Date(d.tsUs / 1000).toISOString()}: ${d.reason}`}`);
  lines.push(`  incident  ${e.incidentId ?? 'none'}`);
  if (e.reconstructed.length > 0) {
    lines.push(`  reconstructed next packets: ${e.reconstructed.map((r) => `${num(r.size, 0)} B ${flagNames(Math.round(r.tcpFlags))} H=${r.entropy.toFixed(2)} +${num(r.iatUs, 0)} us`).join('; ')}`);
  }
  return lines.join('\n');
}

export function protoName(p: number): string {
  return p === 6 ? 'TCP' : p === 17 ? 'UDP' : p === 1 ? 'ICMP' : p === 58 ? 'ICMPv6' : `proto-${p}`;
}
