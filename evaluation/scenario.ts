/** Attack plans for evaluation scenarios: chosen kinds, after every VM has warmed up. */
import { ATTACK_KINDS, type AttackKind, type AttackSpec } from '../sources/synthetic';
import { EvaluationError } from './evaluation-error';

/**
 * One attack of each kind, in the second half of the run (the first half calibrates baselines and
 * thresholds), one after another so their intervals do not overlap.
 */
export function evaluationAttackPlan(kinds: readonly AttackKind[], durationSec: number): AttackSpec[] {
  const start = durationSec * 0.45;
  const slot = (durationSec - start) / Math.max(1, kinds.length);
  const len = Math.max(1, Math.min(15, slot * 0.7));
  return kinds.map((kind, i) => ({ kind, atSec: Math.round((start + slot * i) * 1000) / 1000, durationSec: len }));
}

/** Parses `a,b,c` into attack kinds; 'all' is every kind. */
export function parseAttackKinds(list: string): AttackKind[] {
  if (list.trim() === 'all') return [...ATTACK_KINDS];
  return list.split(',').map((k) => k.trim()).filter((k) => k !== '').map((k) => {
    if (!(ATTACK_KINDS as readonly string[]).includes(k)) throw new EvaluationError('--kinds', `unknown attack kind '${k}' (known: ${ATTACK_KINDS.join(', ')})`);
    return k as AttackKind;
  });
}

/** The attacks whose peer the VM already talks to: peer novelty cannot see them. */
export const KNOWN_PEER_KINDS: readonly AttackKind[] = ['exfil_known_peer', 'c2_beacon_known_peer'];
