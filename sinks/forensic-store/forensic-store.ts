/**
 * The local durable forensic store of embedded mode: anomalies (actual + predicted packet, score
 * breakdown, baseline, decision), decisions and incidents in one SQLite file.
 *
 * Why SQLite (better-sqlite3): one file an analyst can copy and open anywhere, indexed queries by VM /
 * account / time / severity / incident without a server, WAL so `prescient forensics` reads while a run
 * writes, and transactions that make a batch of inserts cost one fsync. The synchronous API suits a
 * sink that is called from the runtime's loop: no Promise per record.
 *
 * Writes are buffered and inserted in one transaction per flush (every `batchSize` records and by the
 * sink's timer). Incidents are correlated as records arrive (IncidentCorrelator) and upserted per flush.
 * Retention deletes what is older than `retentionUs` on open and then at most every `retentionEveryMs`.
 */
import type { ForensicRecord, MitigationDecision } from '../../schemas/types';
import type { Statement } from 'better-sqlite3';
import { IncidentCorrelator } from './incident-correlator';
import type { Incident } from './incident';
import { isCorruption, moveAside, openForWriting, type SqliteDatabase } from './open-database';
import { ForensicStoreCorruptError, ForensicStoreError } from './forensic-store-error';
import { anomalyRow, incidentRow, type AnomalyRow, type IncidentRow } from './record-rows';
import { ForensicStoreReader } from './store-queries';

export const DEFAULT_INCIDENT_GAP_US = 5 * 60 * 1_000_000;
export const DEFAULT_RETENTION_US = 30 * 24 * 3600 * 1_000_000;

export interface ForensicStoreOptions {
  /** Anomalies further apart than this start a new incident (default 5 min). */
  incidentGapUs?: number;
  /** Rows older than this are deleted (default 30 days; 0 keeps everything). */
  retentionUs?: number;
  /**
   * What "older" is measured against: 'event' (default) the newest anomaly in the store, so replaying an
   * old capture does not delete itself; 'wall' the clock (`nowMs`).
   */
  retentionClock?: 'event' | 'wall';
  /** Retention runs on open and then at most this often, at a flush (default 60 s). */
  retentionEveryMs?: number;
  /** Pending records that trigger a flush (default 1024). */
  batchSize?: number;
  nowMs?: () => number;
  /** Told when a corrupt file was moved aside (the message names both files). */
  onWarning?: (message: string) => void;
}

export interface RetentionResult {
  cutoffUs: number;
  anomalies: number;
  decisions: number;
  incidents: number;
}

interface DecisionRow {
  id: string;
  ts_us: number;
  vm_id: string;
  account_id: string;
  action: string;
  previous_action: string;
  anomaly_id: string;
  incident_id: string | null;
  record: string;
}

interface Statements {
  exists: Statement;
  insertAnomaly: Statement;
  upsertDecision: Statement;
  upsertIncident: Statement;
}

export class ForensicStore {
  private db: SqliteDatabase;
  private stmts!: Statements;
  private readonly correlator: IncidentCorrelator;
  private pending: AnomalyRow[] = [];
  private pendingDecisions: DecisionRow[] = [];
  private readonly lastDecisionOfVm = new Map<string, string>();
  /** A store that had anomalies when opened may be fed the same ones again (a replay): check ids then. */
  private mayHaveDuplicates: boolean;
  private lastRetentionMs: number;
  private closed = false;
  readonly options: Required<Omit<ForensicStoreOptions, 'onWarning'>> & Pick<ForensicStoreOptions, 'onWarning'>;
  /** Set when the file was found corrupt (on open or during a flush) and moved aside. */
  recovered: ForensicStoreCorruptError | null;
  reader: ForensicStoreReader;
  /** Records skipped because their anomaly id was already stored. */
  duplicates = 0;

  constructor(readonly file: string, options: ForensicStoreOptions = {}) {
    this.options = {
      incidentGapUs: options.incidentGapUs ?? DEFAULT_INCIDENT_GAP_US,
      retentionUs: options.retentionUs ?? DEFAULT_RETENTION_US,
      retentionClock: options.retentionClock ?? 'event',
      retentionEveryMs: options.retentionEveryMs ?? 60_000,
      batchSize: options.batchSize ?? 1024,
      nowMs: options.nowMs ?? Date.now,
      onWarning: options.onWarning,
    };
    const opened = openForWriting(file, this.options.nowMs);
    this.db = opened.db;
    this.recovered = opened.recovered;
    if (this.recovered !== null) this.options.onWarning?.(this.recovered.message);
    this.reader = new ForensicStoreReader(this.db);
    this.prepare();
    this.correlator = new IncidentCorrelator(this.options.incidentGapUs, (scope, key) => (this.mayHaveDuplicates ? this.reader.latestIncident(scope, key) : null));
    this.mayHaveDuplicates = this.reader.counts().anomalies > 0;
    this.lastRetentionMs = this.options.nowMs();
    this.applyRetention();
  }

  /** Adds one anomaly's record; copies what it keeps. Returns its VM incident id (null for a duplicate). */
  addForensic(rec: ForensicRecord): string | null {
    this.assertOpen();
    const a = rec.anomaly;
    if (this.mayHaveDuplicates && this.stmts.exists.get(a.id) !== undefined) {
      this.duplicates++;
      return null;
    }
    const { vm, account } = this.correlator.add(rec);
    this.pending.push(anomalyRow(rec, vm.id, account.id));
    const d = rec.decision;
    if (d !== null && this.lastDecisionOfVm.get(a.vmId) !== d.id) {
      this.lastDecisionOfVm.set(a.vmId, d.id);
      this.pendingDecisions.push(decisionRow(d, vm.id));
    }
    if (this.pending.length >= this.options.batchSize) this.flush();
    return vm.id;
  }

  /** Adds a mitigation decision (from the `mitigations` stream). */
  addDecision(d: MitigationDecision): void {
    this.assertOpen();
    this.pendingDecisions.push(decisionRow(d, this.correlator.currentVmIncident(d.vmId, d.tsUs)?.id ?? null));
    if (this.pendingDecisions.length >= this.options.batchSize) this.flush();
  }

  /** The VM's latest incident in this session (what an alert for its latest anomaly belongs to). */
  currentIncidentId(vmId: string): string | null {
    return this.correlator.latestVmIncident(vmId)?.id ?? null;
  }

  /** Writes what is pending in one transaction. A corrupt file met here is moved aside and the batch goes to a fresh one. */
  flush(): void {
    if (this.closed) return;
    if (this.pending.length === 0 && this.pendingDecisions.length === 0) return;
    const incidents = this.correlator.takeDirty();
    try {
      this.writeBatch(incidents);
    } catch (err) {
      if (!isCorruption(err)) throw new ForensicStoreError(this.file, `write failed: ${(err as Error).message}`, err);
      this.recoverFromCorruption(err);
      this.writeBatch(this.correlator.takeDirty().concat(incidents));
    }
    this.pending = [];
    this.pendingDecisions = [];
    this.correlator.prune();
    if (this.options.nowMs() - this.lastRetentionMs >= this.options.retentionEveryMs) {
      this.lastRetentionMs = this.options.nowMs();
      this.applyRetention();
    }
  }

  /** Deletes rows older than the retention (see options.retentionClock). `refUs` overrides the reference time. */
  applyRetention(refUs?: number): RetentionResult {
    const none: RetentionResult = { cutoffUs: 0, anomalies: 0, decisions: 0, incidents: 0 };
    if (this.options.retentionUs <= 0) return none;
    let ref = refUs;
    if (ref === undefined) {
      if (this.options.retentionClock === 'wall') ref = this.options.nowMs() * 1000;
      else ref = (this.db.prepare('SELECT max(ts_us) AS t FROM anomalies').get() as { t: number | null }).t ?? undefined;
    }
    if (ref === undefined) return none;
    const cutoffUs = ref - this.options.retentionUs;
    const run = this.db.transaction((c: number) => ({
      cutoffUs: c,
      anomalies: this.db.prepare('DELETE FROM anomalies WHERE ts_us < ?').run(c).changes,
      decisions: this.db.prepare('DELETE FROM decisions WHERE ts_us < ?').run(c).changes,
      incidents: this.db.prepare('DELETE FROM incidents WHERE last_ts_us < ?').run(c).changes,
    }));
    return run(cutoffUs);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private writeBatch(incidents: Incident[]): void {
    const tx = this.db.transaction((rows: AnomalyRow[], decisions: DecisionRow[], incs: IncidentRow[]) => {
      for (const d of decisions) this.stmts.upsertDecision.run(d);
      for (const r of rows) this.stmts.insertAnomaly.run(r);
      for (const i of incs) this.stmts.upsertIncident.run(i);
    });
    tx(this.pending, this.pendingDecisions, incidents.map(incidentRow));
  }

  private recoverFromCorruption(err: unknown): void {
    try {
      this.db.close();
    } catch {
      // Closing a damaged handle may fail; the file is moved aside either way.
    }
    const movedTo = moveAside(this.file, this.options.nowMs());
    const opened = openForWriting(this.file, this.options.nowMs);
    this.db = opened.db;
    this.reader = new ForensicStoreReader(this.db);
    this.prepare();
    this.mayHaveDuplicates = false;
    this.recovered = new ForensicStoreCorruptError(this.file, (err as Error).message, movedTo, err);
    this.options.onWarning?.(this.recovered.message);
  }

  private prepare(): void {
    this.stmts = {
      exists: this.db.prepare('SELECT 1 FROM anomalies WHERE id = ?'),
      insertAnomaly: this.db.prepare(`INSERT OR IGNORE INTO anomalies (id, ts_us, vm_id, account_id, vnet_id, score, threshold, severity, top_feature, action,
        decision_id, incident_id, account_incident_id, src_ip, dst_ip, src_port, dst_port, protocol, size, tcp_flags, model_version, record, payload)
        VALUES (@id, @ts_us, @vm_id, @account_id, @vnet_id, @score, @threshold, @severity, @top_feature, @action, @decision_id, @incident_id,
        @account_incident_id, @src_ip, @dst_ip, @src_port, @dst_port, @protocol, @size, @tcp_flags, @model_version, @record, @payload)`),
      upsertDecision: this.db.prepare(`INSERT INTO decisions (id, ts_us, vm_id, account_id, action, previous_action, anomaly_id, incident_id, record)
        VALUES (@id, @ts_us, @vm_id, @account_id, @action, @previous_action, @anomaly_id, @incident_id, @record)
        ON CONFLICT (id) DO UPDATE SET incident_id = coalesce(decisions.incident_id, excluded.incident_id)`),
      upsertIncident: this.db.prepare(`INSERT INTO incidents (id, scope, key, account_id, first_ts_us, last_ts_us, count, max_score, max_ratio, severity, actions, top_features, vms)
        VALUES (@id, @scope, @key, @account_id, @first_ts_us, @last_ts_us, @count, @max_score, @max_ratio, @severity, @actions, @top_features, @vms)
        ON CONFLICT (id) DO UPDATE SET first_ts_us = excluded.first_ts_us, last_ts_us = excluded.last_ts_us, count = excluded.count,
        max_score = excluded.max_score, max_ratio = excluded.max_ratio, severity = excluded.severity, actions = excluded.actions,
        top_features = excluded.top_features, vms = excluded.vms`),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new ForensicStoreError(this.file, 'store is closed');
  }
}

function decisionRow(d: MitigationDecision, incidentId: string | null): DecisionRow {
  return {
    id: d.id,
    ts_us: d.tsUs,
    vm_id: d.vmId,
    account_id: d.accountId,
    action: d.action,
    previous_action: d.previousAction,
    anomaly_id: d.anomalyId,
    incident_id: incidentId,
    record: JSON.stringify(d),
  };
}
