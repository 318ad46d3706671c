/**
 * One anomaly as an EVE-JSON-like alert (Suricata's event format, which SIEMs already parse). The
 * mapping is documented in README.md; fields Suricata has and we do not know are left out rather than
 * made up.
 */
import type { ForensicRecord } from '../../schemas/types';
import { anomalySeverityOf } from './alert-severity';

/** Signature per feature that drove the score (topFeature). Ids are in a private range (9100000+). */
export const SIGNATURES: Record<string, { id: number; name: string }> = {
  size: { id: 9100001, name: 'PRESCIENT packet size unlike the predicted one' },
  flags: { id: 9100002, name: 'PRESCIENT TCP flags unlike the predicted ones' },
  entropy: { id: 9100003, name: 'PRESCIENT payload entropy unlike the predicted one' },
  iat: { id: 9100004, name: 'PRESCIENT inter-arrival time unlike the predicted one' },
  baseline: { id: 9100005, name: 'PRESCIENT traffic deviates from the VM baseline' },
};
const OTHER = { id: 9100000, name: 'PRESCIENT anomalous packet' };
export const ALERT_CATEGORY = 'Network Traffic Anomaly';

export interface EveAlert {
  timestamp: string;
  flow_id: number;
  in_iface: string;
  event_type: 'alert';
  src_ip: string;
  src_port: number;
  dest_ip: string;
  dest_port: number;
  proto: string;
  alert: { action: 'allowed' | 'blocked'; gid: 1; signature_id: number; rev: 1; signature: string; category: string; severity: 1 | 2 | 3 };
  vm: { id: string; account_id: string; vnet_id: string; direction: string };
  prescient: {
    anomaly_id: string;
    incident_id: string | null;
    score: number;
    threshold: number;
    top_feature: string;
    severity: string;
    action: string;
    decision_id: string | null;
    dry_run: boolean;
    model_version: string;
  };
}

/** Suricata's timestamp: local ISO with microseconds and a +hhmm offset (always UTC here). */
export function eveTimestamp(tsUs: number): string {
  const ms = Math.floor(tsUs / 1000);
  const iso = new Date(ms).toISOString();
  const micros = String(Math.floor(tsUs - ms * 1000)).padStart(3, '0');
  return `${iso.slice(0, 23)}${micros}+0000`;
}

function protoName(p: number): string {
  return p === 6 ? 'TCP' : p === 17 ? 'UDP' : p === 1 ? 'ICMP' : p === 58 ? 'IPv6-ICMP' : String(p);
}

/** FNV-1a over the 5-tuple, endpoints ordered so both directions of a flow share the id; 53 bits. */
export function flowId(srcIp: string, srcPort: number, dstIp: string, dstPort: number, proto: number): number {
  const a = `${srcIp}|${srcPort}`;
  const b = `${dstIp}|${dstPort}`;
  const key = a < b ? `${a}|${b}|${proto}` : `${b}|${a}|${proto}`;
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 13);
  }
  return (h2 >>> 0) % 0x200000 * 0x100000000 + (h1 >>> 0);
}

export function toEveAlert(rec: ForensicRecord, incidentId: string | null = rec.incidentId): EveAlert {
  const a = rec.anomaly;
  const p = a.actual;
  const d = rec.decision;
  const action = d === null ? 'ALERT' : d.action === 'NONE' ? 'ALERT' : d.action;
  const blocked = d !== null && !d.dryRun && (action === 'DROP' || action === 'ISOLATE');
  const sig = SIGNATURES[a.topFeature] ?? OTHER;
  const severity = anomalySeverityOf(a.score, a.threshold, d?.action ?? null);
  return {
    timestamp: eveTimestamp(a.tsUs),
    flow_id: flowId(p.srcIp, p.srcPort, p.dstIp, p.dstPort, p.protocol),
    in_iface: a.vmId,
    event_type: 'alert',
    src_ip: p.srcIp,
    src_port: p.srcPort,
    dest_ip: p.dstIp,
    dest_port: p.dstPort,
    proto: protoName(p.protocol),
    alert: {
      action: blocked ? 'blocked' : 'allowed',
      gid: 1,
      signature_id: sig.id,
      rev: 1,
      signature: sig.name,
      category: ALERT_CATEGORY,
      severity: severity === 'critical' || severity === 'high' ? 1 : severity === 'medium' ? 2 : 3,
    },
    vm: { id: a.vmId, account_id: a.accountId, vnet_id: a.vnetId, direction: p.direction },
    prescient: {
      anomaly_id: a.id,
      incident_id: incidentId,
      score: a.score,
      threshold: a.threshold,
      top_feature: a.topFeature,
      severity,
      action,
      decision_id: d?.id ?? null,
      dry_run: d?.dryRun ?? false,
      model_version: a.modelVersion,
    },
  };
}
