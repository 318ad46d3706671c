/**
 * Lifts recorded actions from the kernel and marks them ended: used by the enforcer (decisions that
 * step down, the expiry sweeper) and by `prescient mitigations lift` in another process. Needs only
 * the records (each names its netns, set elements and tc port), not the inventory.
 */
import { CommandRunner } from './command-runner';
import type { MitigationRecord, MitigationStatus } from './mitigation-record';
import type { MitigationStateStore } from './mitigation-state-store';
import { NftablesActuator } from './nftables-actuator';
import { killWatchdog, TcActuator } from './tc-actuator';

export interface LiftOptions {
  /** Runner settings for the netns of each record (tests pass a prefix or PATH). */
  runnerFor?(netns: string | null): CommandRunner;
  now?: () => number;
}

/**
 * Removes the active records `match` selects from the kernel (nft elements of one netns in one
 * transaction) and marks them `status` with `note`. Returns the records it ended. A failure leaves
 * its records active (so a retry or the sweeper tries again) and is thrown after the others are done.
 */
export async function liftMitigations(
  store: MitigationStateStore, match: (r: MitigationRecord) => boolean, status: Exclude<MitigationStatus, 'active'>, note: string, options: LiftOptions = {},
): Promise<MitigationRecord[]> {
  const now = options.now ?? Date.now;
  const runnerFor = options.runnerFor ?? ((netns) => new CommandRunner({ netns }));
  const chosen = store.load().filter((r) => r.status === 'active' && match(r));
  const byNs = new Map<string | null, MitigationRecord[]>();
  for (const r of chosen) byNs.set(r.netns, [...(byNs.get(r.netns) ?? []), r]);
  const done = new Set<string>();
  let failure: unknown = null;
  for (const [netns, records] of byNs) {
    const runner = runnerFor(netns);
    try {
      // Nothing is added here, so the table is not re-synced (that would reset the isolation allow-list).
      await new NftablesActuator(runner).change([], 0, records.flatMap((r) => r.nft));
      const tc = new TcActuator(runner);
      for (const r of records) {
        if (r.tc !== null && status === 'expired' && r.tc.watchdogPid !== null) killWatchdog(r.tc.watchdogPid);
        if (r.tc !== null) await tc.lift(r.tc);
        done.add(r.id);
      }
    } catch (e) {
      failure ??= e;
    }
  }
  const ended = store.update((all) => {
    const out: MitigationRecord[] = [];
    for (const r of all) {
      if (r.status !== 'active' || !done.has(r.id)) continue;
      r.status = status;
      r.note = r.note === '' ? note : `${r.note}; ${note}`;
      r.endedAtMs = now();
      out.push({ ...r });
    }
    return out;
  });
  if (failure !== null) throw failure;
  return ended;
}
