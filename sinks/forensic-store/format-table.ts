/** Readable fixed-width tables of anomalies and incidents for `prescient forensics`. */
import type { ForensicRecord } from '../../schemas/types';
import { flagNames, protoName } from './explain';
import { rankedFeatures, type Incident } from './incident';
import { anomalySeverity } from './record-rows';

function iso(tsUs: number): string {
  return new Date(Math.floor(tsUs / 1000)).toISOString().replace('T', ' ').replace('Z', '');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatAnomalyTable(records: readonly ForensicRecord[]): string {
  const rows = records.map((r) => {
    const a = r.anomaly;
    const p = a.actual;
    return [
      iso(a.tsUs),
      a.vmId,
      anomalySeverity(r),
      `${a.score.toFixed(2)}/${a.threshold.toFixed(2)}`,
      a.topFeature,
      r.decision?.action ?? '-',
      `${protoName(p.protocol)} ${p.srcIp}:${p.srcPort} -> ${p.dstIp}:${p.dstPort}`,
      `${p.size}`,
      flagNames(p.tcpFlags),
      r.incidentId ?? '-',
      a.id,
    ];
  });
  return table(['time (UTC)', 'vm', 'severity', 'score/thr', 'top', 'action', 'flow', 'size', 'flags', 'incident', 'anomaly id'], rows);
}

export function formatIncidentTable(incidents: readonly Incident[]): string {
  const rows = incidents.map((i) => [
    i.id,
    i.scope,
    i.scope === 'vm' ? i.key : `${i.key} (${i.vms.length} vm)`,
    i.severity,
    iso(i.firstTsUs),
    `${((i.lastTsUs - i.firstTsUs) / 1e6).toFixed(1)} s`,
    String(i.count),
    i.maxScore.toFixed(2),
    i.actions.length > 0 ? i.actions.join(',') : '-',
    rankedFeatures(i).slice(0, 3).join(','),
  ]);
  return table(['incident', 'scope', 'vm/account', 'severity', 'first (UTC)', 'span', 'anomalies', 'max score', 'actions', 'top features'], rows);
}
