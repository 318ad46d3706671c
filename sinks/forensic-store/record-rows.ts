/** ForensicRecord <-> row of the anomalies table; Incident <-> row of the incidents table. */
import type { Anomaly, ForensicRecord, MitigationDecision, PredictedPacket } from '../../schemas/types';
import type { Incident, IncidentScope } from './incident';
import { SEVERITIES, scoreRatio, severityOf, severityRank, type Severity } from './severity';

export interface AnomalyRow {
  id: string;
  ts_us: number;
  vm_id: string;
  account_id: string;
  vnet_id: string;
  score: number;
  threshold: number;
  severity: number;
  top_feature: string;
  action: string | null;
  decision_id: string | null;
  incident_id: string | null;
  account_incident_id: string | null;
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  size: number;
  tcp_flags: number;
  model_version: string;
  record: string;
  payload: Buffer;
}

/** What the record column holds: the anomaly less its payload (a BLOB column), and the roll-forward. */
interface StoredRecord {
  anomaly: Anomaly;
  reconstructed: PredictedPacket[];
}

/** Copies everything it needs out of `rec` (the sink may not keep it). */
export function anomalyRow(rec: ForensicRecord, incidentId: string | null, accountIncidentId: string | null): AnomalyRow {
  const a = rec.anomaly;
  const p = a.actual;
  const action = rec.decision !== null && rec.decision.action !== 'NONE' ? rec.decision.action : null;
  return {
    id: a.id,
    ts_us: a.tsUs,
    vm_id: a.vmId,
    account_id: a.accountId,
    vnet_id: a.vnetId,
    score: a.score,
    threshold: a.threshold,
    severity: severityRank(anomalySeverity(rec)),
    top_feature: a.topFeature,
    action,
    decision_id: rec.decision?.id ?? null,
    incident_id: incidentId,
    account_incident_id: accountIncidentId,
    src_ip: p.srcIp,
    dst_ip: p.dstIp,
    src_port: p.srcPort,
    dst_port: p.dstPort,
    protocol: p.protocol,
    size: p.size,
    tcp_flags: p.tcpFlags,
    model_version: a.modelVersion,
    // Shallow copies without the payload: a replacer function would make stringify several times slower.
    record: JSON.stringify({ anomaly: { ...a, actual: { ...p, payload: undefined } }, reconstructed: rec.reconstructed }),
    payload: Buffer.from(p.payload ?? Buffer.alloc(0)),
  };
}

export function anomalySeverity(rec: ForensicRecord): Severity {
  const a = rec.anomaly;
  return severityOf(scoreRatio(a.score, a.threshold), [rec.decision?.action ?? null]);
}

/** The ForensicRecord back, with its incident and the decision (from the decisions table) joined in. */
export function recordFromRow(row: { record: string; payload: Buffer; incident_id: string | null; decision: string | null }): ForensicRecord {
  const stored = JSON.parse(row.record) as StoredRecord;
  stored.anomaly.actual.payload = Buffer.from(row.payload);
  const decision = row.decision === null ? null : (JSON.parse(row.decision) as MitigationDecision);
  return { anomaly: stored.anomaly, reconstructed: stored.reconstructed, decision, incidentId: row.incident_id };
}

export interface IncidentRow {
  id: string;
  scope: string;
  key: string;
  account_id: string;
  first_ts_us: number;
  last_ts_us: number;
  count: number;
  max_score: number;
  max_ratio: number;
  severity: number;
  actions: string;
  top_features: string;
  vms: string;
}

export function incidentRow(inc: Incident): IncidentRow {
  return {
    id: inc.id,
    scope: inc.scope,
    key: inc.key,
    account_id: inc.accountId,
    first_ts_us: inc.firstTsUs,
    last_ts_us: inc.lastTsUs,
    count: inc.count,
    max_score: inc.maxScore,
    max_ratio: Number.isFinite(inc.maxRatio) ? inc.maxRatio : 1e308,
    severity: severityRank(inc.severity),
    actions: JSON.stringify(inc.actions),
    top_features: JSON.stringify(inc.topFeatures),
    vms: JSON.stringify(inc.vms),
  };
}

export function incidentFromRow(r: IncidentRow): Incident {
  return {
    id: r.id,
    scope: r.scope as IncidentScope,
    key: r.key,
    accountId: r.account_id,
    firstTsUs: r.first_ts_us,
    lastTsUs: r.last_ts_us,
    count: r.count,
    maxScore: r.max_score,
    maxRatio: r.max_ratio,
    severity: SEVERITIES[r.severity] ?? 'low',
    actions: JSON.parse(r.actions) as Incident['actions'],
    topFeatures: JSON.parse(r.top_features) as Record<string, number>,
    vms: JSON.parse(r.vms) as string[],
  };
}
