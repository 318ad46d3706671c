/**
 * Severity of an anomaly or incident: the higher of what its score ratio (score / threshold) says and
 * what the mitigation taken says. The ratio steps follow policies/default.yaml's tiers (1.5 DROP,
 * 3 ISOLATE), so a severity reads like the action the default policy would take at that ratio.
 */
import type { MitigationAction } from '../../schemas/types';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 0..3, for comparing and for the indexed integer column. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

function ratioRank(ratio: number): number {
  if (ratio >= 6) return 3;
  if (ratio >= 3) return 2;
  if (ratio >= 1.5) return 1;
  return 0;
}

function actionRank(action: MitigationAction | null): number {
  switch (action) {
    case 'ISOLATE':
      return 3;
    case 'DROP':
    case 'SCRUB':
      return 2;
    case 'RATE_LIMIT':
      return 1;
    default:
      return 0;
  }
}

/** The strongest action in `actions` (by severity), or null. */
export function severityOf(ratio: number, actions: Iterable<MitigationAction | null>): Severity {
  let rank = ratioRank(ratio);
  for (const a of actions) rank = Math.max(rank, actionRank(a));
  return SEVERITIES[rank];
}

export function scoreRatio(score: number, threshold: number): number {
  return threshold > 0 ? score / threshold : score > 0 ? Number.POSITIVE_INFINITY : 0;
}
