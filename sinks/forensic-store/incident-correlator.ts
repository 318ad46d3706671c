/**
 * Correlates anomalies into incidents per VM and per account, as they arrive: an anomaly joins the
 * scope's latest incident when it lies within `gapUs` of it, else opens a new one. Anomalies of one VM
 * arrive in event-time order (one task owns a VM); an account's come from several tasks, so an account
 * incident also takes anomalies up to `gapUs` before its first. The latest incident of a scope is
 * looked up once (`load`) so a store reopened after a restart goes on with it.
 */
import type { ForensicRecord, MitigationAction } from '../../schemas/types';
import { incidentId, type Incident, type IncidentScope } from './incident';
import { scoreRatio, severityOf } from './severity';

export type LatestIncidentLoader = (scope: IncidentScope, key: string) => Incident | null;

export interface Correlation {
  vm: Incident;
  account: Incident;
}

export class IncidentCorrelator {
  private readonly open = new Map<string, Incident>();
  /** Incidents changed since the last `takeDirty`. */
  private readonly dirty = new Set<Incident>();
  private maxTsUs = 0;

  constructor(readonly gapUs: number, private readonly load: LatestIncidentLoader = () => null) {}

  /** Adds one anomaly; returns its VM and account incidents (updated). */
  add(rec: ForensicRecord): Correlation {
    const a = rec.anomaly;
    const action = rec.decision !== null && rec.decision.action !== 'NONE' ? rec.decision.action : null;
    const ratio = scoreRatio(a.score, a.threshold);
    if (a.tsUs > this.maxTsUs) this.maxTsUs = a.tsUs;
    const vm = this.join('vm', a.vmId, a.accountId, a.tsUs);
    const account = this.join('account', a.accountId, a.accountId, a.tsUs);
    for (const inc of [vm, account]) {
      inc.count++;
      if (a.score > inc.maxScore) inc.maxScore = a.score;
      if (ratio > inc.maxRatio) inc.maxRatio = ratio;
      if (action !== null && !inc.actions.includes(action)) inc.actions.push(action);
      inc.topFeatures[a.topFeature] = (inc.topFeatures[a.topFeature] ?? 0) + 1;
      if (!inc.vms.includes(a.vmId)) inc.vms.push(a.vmId);
      inc.severity = severityOf(inc.maxRatio, inc.actions as MitigationAction[]);
      this.dirty.add(inc);
    }
    return { vm, account };
  }

  /** The VM's incident that `tsUs` falls in (or would extend), or null. */
  currentVmIncident(vmId: string, tsUs: number): Incident | null {
    const inc = this.open.get(`vm\0${vmId}`);
    return inc !== undefined && tsUs >= inc.firstTsUs && tsUs <= inc.lastTsUs + this.gapUs ? inc : null;
  }

  /** The VM's latest incident in this session, or null. */
  latestVmIncident(vmId: string): Incident | null {
    return this.open.get(`vm\0${vmId}`) ?? null;
  }

  takeDirty(): Incident[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  /** Forgets incidents that can no longer grow (more than a gap behind the newest anomaly). */
  prune(): void {
    for (const [k, inc] of this.open) if (inc.lastTsUs + this.gapUs < this.maxTsUs && !this.dirty.has(inc)) this.open.delete(k);
  }

  private join(scope: IncidentScope, key: string, accountId: string, tsUs: number): Incident {
    const mapKey = `${scope}\0${key}`;
    let inc = this.open.get(mapKey);
    if (inc === undefined) {
      inc = this.load(scope, key) ?? undefined;
      if (inc !== undefined) this.open.set(mapKey, inc);
    }
    const lowGap = scope === 'account' ? this.gapUs : 0;
    if (inc !== undefined && tsUs <= inc.lastTsUs + this.gapUs && tsUs >= inc.firstTsUs - lowGap) {
      if (tsUs > inc.lastTsUs) inc.lastTsUs = tsUs;
      // The id stays the one it was opened with: records already carry it.
      if (tsUs < inc.firstTsUs) inc.firstTsUs = tsUs;
      return inc;
    }
    const fresh: Incident = {
      id: incidentId(scope, key, tsUs),
      scope,
      key,
      accountId,
      firstTsUs: tsUs,
      lastTsUs: tsUs,
      count: 0,
      maxScore: 0,
      maxRatio: 0,
      severity: 'low',
      actions: [],
      topFeatures: {},
      vms: [],
    };
    this.open.set(mapKey, fresh);
    return fresh;
  }
}
