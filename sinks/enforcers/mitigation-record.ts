/** What an enforcer remembers about each action it took: enough to list it and to lift it without the inventory. */
import type { MitigationAction } from '../../schemas/types';
import type { NftElement } from './nft-ruleset';
import type { TcTargets } from './tc-actuator';

/** What was actually done in the kernel (SCRUB, for one, is applied as a drop). */
export type AppliedAction = 'DROP_VM' | 'DROP_FLOW' | 'ISOLATE' | 'RATE_LIMIT';

/**
 * active: in force; lifted: removed by a decision or by hand; expired: its time ran out; superseded:
 * replaced by a later action for the same VM; refused: a safety rule said no; failed: every attempt failed.
 */
export type MitigationStatus = 'active' | 'lifted' | 'expired' | 'superseded' | 'refused' | 'failed';

export interface MitigationRecord {
  /** The decision id that created it (deterministic, so a replayed decision finds its record). */
  id: string;
  jobId: string;
  vmId: string;
  requested: MitigationAction;
  applied: AppliedAction | null;
  enforcer: string;
  netns: string | null;
  nft: NftElement[];
  tc: TcTargets | null;
  appliedAtMs: number;
  expiresAtMs: number;
  status: MitigationStatus;
  /** Why it was refused, failed, mapped (SCRUB) or lifted. */
  note: string;
  endedAtMs: number | null;
}
