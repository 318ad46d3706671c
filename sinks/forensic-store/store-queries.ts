/** The read side of the forensic store: filtered anomalies (as ForensicRecords), incidents, counts. */
import type { ForensicRecord } from '../../schemas/types';
import type { Incident, IncidentScope } from './incident';
import type { SqliteDatabase } from './open-database';
import { incidentFromRow, recordFromRow, type IncidentRow } from './record-rows';
import { severityRank, type Severity } from './severity';

export interface AnomalyQuery {
  vmId?: string;
  accountId?: string;
  /** Inclusive bounds on the anomaly's timestamp, microseconds. */
  sinceUs?: number;
  untilUs?: number;
  /** At least this severity. */
  minSeverity?: Severity;
  /** A VM or account incident id. */
  incidentId?: string;
  limit?: number;
}

export interface IncidentQuery {
  vmId?: string;
  accountId?: string;
  /** Incidents overlapping [sinceUs, untilUs]. */
  sinceUs?: number;
  untilUs?: number;
  minSeverity?: Severity;
  scope?: IncidentScope;
  incidentId?: string;
  limit?: number;
}

export interface StoreCounts {
  anomalies: number;
  decisions: number;
  incidents: number;
  vms: number;
}

interface Where {
  sql: string;
  params: Record<string, string | number>;
}

const SELECT_RECORD = 'SELECT a.record, a.payload, a.incident_id, d.record AS decision FROM anomalies a LEFT JOIN decisions d ON d.id = a.decision_id';

function anomalyWhere(q: AnomalyQuery): Where {
  const c: string[] = [];
  const params: Record<string, string | number> = {};
  if (q.vmId !== undefined) (c.push('a.vm_id = @vm'), (params.vm = q.vmId));
  if (q.accountId !== undefined) (c.push('a.account_id = @account'), (params.account = q.accountId));
  if (q.sinceUs !== undefined) (c.push('a.ts_us >= @since'), (params.since = q.sinceUs));
  if (q.untilUs !== undefined) (c.push('a.ts_us <= @until'), (params.until = q.untilUs));
  if (q.minSeverity !== undefined) (c.push('a.severity >= @sev'), (params.sev = severityRank(q.minSeverity)));
  if (q.incidentId !== undefined) (c.push('(a.incident_id = @inc OR a.account_incident_id = @inc)'), (params.inc = q.incidentId));
  return { sql: c.length > 0 ? ` WHERE ${c.join(' AND ')}` : '', params };
}

export class ForensicStoreReader {
  constructor(private readonly db: SqliteDatabase) {}

  /** Matching anomalies, oldest first. */
  queryAnomalies(q: AnomalyQuery = {}): ForensicRecord[] {
    return [...this.iterateAnomalies(q)];
  }

  /** Same, streamed row by row (for exports larger than memory). */
  *iterateAnomalies(q: AnomalyQuery = {}): IterableIterator<ForensicRecord> {
    const w = anomalyWhere(q);
    const limit = q.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
    const stmt = this.db.prepare(`${SELECT_RECORD}${w.sql} ORDER BY a.ts_us, a.id${limit}`);
    for (const row of stmt.iterate(w.params) as IterableIterator<{ record: string; payload: Buffer; incident_id: string | null; decision: string | null }>) {
      yield recordFromRow(row);
    }
  }

  getAnomaly(id: string): ForensicRecord | null {
    const row = this.db.prepare(`${SELECT_RECORD} WHERE a.id = ?`).get(id) as { record: string; payload: Buffer; incident_id: string | null; decision: string | null } | undefined;
    return row === undefined ? null : recordFromRow(row);
  }

  /** Matching incidents, most recent first. */
  queryIncidents(q: IncidentQuery = {}): Incident[] {
    const c: string[] = [];
    const params: Record<string, string | number> = {};
    if (q.vmId !== undefined) (c.push("(scope = 'vm' AND key = @vm)"), (params.vm = q.vmId));
    if (q.accountId !== undefined) (c.push('account_id = @account'), (params.account = q.accountId));
    if (q.sinceUs !== undefined) (c.push('last_ts_us >= @since'), (params.since = q.sinceUs));
    if (q.untilUs !== undefined) (c.push('first_ts_us <= @until'), (params.until = q.untilUs));
    if (q.minSeverity !== undefined) (c.push('severity >= @sev'), (params.sev = severityRank(q.minSeverity)));
    if (q.scope !== undefined) (c.push('scope = @scope'), (params.scope = q.scope));
    if (q.incidentId !== undefined) (c.push('id = @id'), (params.id = q.incidentId));
    const where = c.length > 0 ? ` WHERE ${c.join(' AND ')}` : '';
    const limit = q.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
    const rows = this.db.prepare(`SELECT * FROM incidents${where} ORDER BY last_ts_us DESC, id${limit}`).all(params) as IncidentRow[];
    return rows.map(incidentFromRow);
  }

  getIncident(id: string): Incident | null {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
    return row === undefined ? null : incidentFromRow(row);
  }

  /** The latest incident of a VM or account, or null (what a reopened writer goes on with). */
  latestIncident(scope: IncidentScope, key: string): Incident | null {
    const row = this.db.prepare('SELECT * FROM incidents WHERE scope = ? AND key = ? ORDER BY last_ts_us DESC LIMIT 1').get(scope, key) as IncidentRow | undefined;
    return row === undefined ? null : incidentFromRow(row);
  }

  knowsVm(vmId: string): boolean {
    return this.db.prepare('SELECT 1 FROM anomalies WHERE vm_id = ? LIMIT 1').get(vmId) !== undefined;
  }

  knowsAccount(accountId: string): boolean {
    return this.db.prepare('SELECT 1 FROM anomalies WHERE account_id = ? LIMIT 1').get(accountId) !== undefined;
  }

  counts(): StoreCounts {
    const n = (sql: string): number => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      anomalies: n('SELECT count(*) AS n FROM anomalies'),
      decisions: n('SELECT count(*) AS n FROM decisions'),
      incidents: n('SELECT count(*) AS n FROM incidents'),
      vms: n('SELECT count(DISTINCT vm_id) AS n FROM anomalies'),
    };
  }
}
