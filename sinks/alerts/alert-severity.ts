/** The forensic store's severity of one anomaly, reused so alerts and the store agree. */
import type { MitigationAction } from '../../schemas/types';
import { scoreRatio, severityOf, type Severity } from '../forensic-store/severity';

export function anomalySeverityOf(score: number, threshold: number, action: MitigationAction | null): Severity {
  return severityOf(scoreRatio(score, threshold), [action]);
}
