/** An incident: anomalies of one VM (or one account) with no gap longer than the window between them. */
import type { MitigationAction } from '../../schemas/types';
import type { Severity } from './severity';

export type IncidentScope = 'vm' | 'account';

export interface Incident {
  /** Deterministic: `<scope>/<key>/<first anomaly tsUs>`, so a replay into a fresh store gives the same ids. */
  id: string;
  scope: IncidentScope;
  /** vmId or accountId. */
  key: string;
  accountId: string;
  firstTsUs: number;
  lastTsUs: number;
  count: number;
  maxScore: number;
  /** Highest score / threshold of its anomalies. */
  maxRatio: number;
  severity: Severity;
  /** Mitigation actions in force on its anomalies (NONE left out), in the order first seen. */
  actions: MitigationAction[];
  /** How many of its anomalies each feature drove (topFeature). */
  topFeatures: Record<string, number>;
  /** VMs involved (one for a VM incident). */
  vms: string[];
}

export function incidentId(scope: IncidentScope, key: string, firstTsUs: number): string {
  return `${scope}/${key}/${firstTsUs}`;
}

/** Features by how many anomalies they drove, most first. */
export function rankedFeatures(inc: Incident): string[] {
  return Object.entries(inc.topFeatures).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([f]) => f);
}
