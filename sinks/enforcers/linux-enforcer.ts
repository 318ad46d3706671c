/**
 * The Linux enforcer: turns each MitigationDecision into kernel state in the target netns (nftables
 * for drop/isolate, tc for rate_limit), after the safety checks, and records every action with its
 * expiry. A decision is the VM's new action: it replaces whatever the VM had (NONE/ALERT lift it).
 * Implements the BullMQ worker's Enforcer interface; createEnforcerSink runs it in-process.
 */
import type { MitigationAction, MitigationDecision } from '../../schemas/types';
import type { Enforcer } from '../bullmq/enforcer';
import { CommandRunner } from './command-runner';
import { EnforcerError, VmNotFoundError } from './enforcer-errors';
import { stderrEnforcerLog, type EnforcerLog } from './enforcer-log';
import type { IsolationRateCap } from './isolation-rate-cap';
import { liftMitigations, type LiftOptions } from './lift-mitigations';
import type { AppliedAction, MitigationRecord } from './mitigation-record';
import type { MitigationStateStore } from './mitigation-state-store';
import { flowDropElements, vmDropElements, vmIsolateElements, type NftElement } from './nft-ruleset';
import type { NftablesActuator } from './nftables-actuator';
import type { SafetyAllowList } from './safety-allow-list';
import { killWatchdog, type TcActuator, type TcTargets } from './tc-actuator';
import type { VmAddressBook } from './vm-addresses';

export type LinuxEnforcerKind = 'nftables' | 'tc' | 'linux';

export interface LinuxEnforcerOptions {
  kind: LinuxEnforcerKind;
  /** Null when the kind does not use it (tc has no nft, nftables no tc). */
  nft: NftablesActuator | null;
  tc: TcActuator | null;
  addresses: VmAddressBook;
  store: MitigationStateStore;
  netns: string | null;
  allowList?: SafetyAllowList;
  isolationCap?: IsolationRateCap;
  /** Bounds on an action's lifetime (defaults 1 s and 24 h). */
  minTtlMs?: number;
  maxTtlMs?: number;
  log?: EnforcerLog;
  now?: () => number;
  /** How lifts reach other netns (tests). */
  liftOptions?: LiftOptions;
}

/** What apply() did, for the sink's report and tests. */
export type ApplyOutcome = 'applied' | 'renewed' | 'lifted' | 'refused' | 'dry-run' | 'already-applied' | 'noop';

export class LinuxEnforcer implements Enforcer {
  readonly kind: LinuxEnforcerKind;
  private readonly log: EnforcerLog;
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | null = null;
  /** Last apply per VM: a BullMQ worker with concurrency > 1 may hand us one VM's decisions at once. */
  private readonly perVm = new Map<string, Promise<unknown>>();

  constructor(private readonly o: LinuxEnforcerOptions) {
    this.kind = o.kind;
    this.log = o.log ?? stderrEnforcerLog();
    this.now = o.now ?? Date.now;
  }

  async apply(d: MitigationDecision, jobId: string): Promise<void> {
    await this.applyDecision(d, jobId);
  }

  /** Applies one decision, after any earlier one of the same VM has finished. */
  applyDecision(d: MitigationDecision, jobId: string): Promise<ApplyOutcome> {
    const prev = this.perVm.get(d.vmId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.applyNow(d, jobId));
    this.perVm.set(d.vmId, next);
    const forget = (): void => {
      if (this.perVm.get(d.vmId) === next) this.perVm.delete(d.vmId);
    };
    next.then(forget, forget);
    return next;
  }

  private async applyNow(d: MitigationDecision, jobId: string): Promise<ApplyOutcome> {
    const ctx = { decisionId: d.id, jobId, vmId: d.vmId, action: d.action, netns: this.o.netns, enforcer: this.kind };
    if (d.dryRun) {
      this.log.info(ctx, 'dry-run decision: not enforced');
      return 'dry-run';
    }
    const mine = this.o.store.load().filter((r) => r.vmId === d.vmId);
    const same = mine.find((r) => r.id === d.id);
    if (same !== undefined && (same.status !== 'failed')) return 'already-applied';
    const active = mine.filter((r) => r.status === 'active');

    if (d.action === 'NONE' || d.action === 'ALERT') {
      if (active.length === 0) return 'noop';
      await this.liftWhere((r) => r.vmId === d.vmId && r.status === 'active', `decision ${d.id}: ${d.action}`);
      this.log.info({ ...ctx, lifted: active.map((r) => r.id) }, 'mitigation lifted');
      return 'lifted';
    }

    const addrs = this.o.addresses.get(d.vmId);
    const protectedBy = this.o.allowList?.protects(d.vmId, addrs) ?? null;
    if (protectedBy !== null) return this.refuse(d, jobId, `allow-listed (${protectedBy}): never acted on`);

    let applied: AppliedAction;
    let note = '';
    const action: MitigationAction = d.action === 'SCRUB' ? 'DROP' : d.action;
    if (d.action === 'SCRUB') {
      note = 'SCRUB is not implemented (no NFQUEUE binding, see sinks/enforcers/README.md): applied as a drop';
      this.log.warn(ctx, note);
    }
    if (action === 'DROP') applied = d.flow !== null ? 'DROP_FLOW' : 'DROP_VM';
    else if (action === 'ISOLATE') applied = 'ISOLATE';
    else applied = 'RATE_LIMIT';

    const needsTc = applied === 'RATE_LIMIT';
    if (needsTc ? this.o.tc === null : this.o.nft === null) {
      return this.refuse(d, jobId, `the ${this.kind} enforcer cannot ${applied} (use --enforcer linux)`);
    }
    if (applied !== 'DROP_FLOW' && (addrs === undefined || (addrs.ip4.length + addrs.ip6.length + addrs.mac.length === 0))) {
      const e = new VmNotFoundError(d.vmId, `no address in ${this.o.addresses.description}`);
      this.record(d, jobId, applied, [], null, 0, 'failed', e.message);
      throw e;
    }
    const renewing = active.some((r) => r.applied === applied);
    let tookToken = false;
    if (applied === 'ISOLATE' && !renewing && this.o.isolationCap !== undefined) {
      if (!this.o.isolationCap.tryTake()) {
        return this.refuse(d, jobId, `isolation cap reached (${this.o.isolationCap.perMinute} per minute): refused, not applied`);
      }
      tookToken = true;
    }

    const ttlMs = Math.min(this.o.maxTtlMs ?? 24 * 3600_000, Math.max(this.o.minTtlMs ?? 1000, (d.expiresAtUs - d.tsUs) / 1000));
    const oldNft = active.flatMap((r) => r.nft);
    let nftAdd: NftElement[] = [];
    let tc: TcTargets | null = null;
    try {
      if (applied === 'RATE_LIMIT') {
        const tcAct = this.o.tc!;
        const port = await tcAct.portOf(d.vmId, addrs!.mac);
        tc = await tcAct.limit(port, d.rateKbps ?? 1000, ttlMs, d.vmId);
        if (this.o.nft !== null) await this.o.nft.change([], 0, oldNft);
      } else {
        nftAdd = applied === 'DROP_FLOW' ? flowDropElements(d.flow!) : applied === 'DROP_VM' ? vmDropElements(addrs!) : vmIsolateElements(addrs!);
        await this.o.nft!.change(nftAdd, ttlMs, oldNft);
      }
      // The old action's tc limit goes after the new action is in place, so there is no gap.
      for (const r of active) {
        if (r.tc === null) continue;
        if (tc !== null && r.tc.port === tc.port) killWatchdog(r.tc.watchdogPid);
        else await this.o.tc?.lift(r.tc);
      }
    } catch (e) {
      if (tookToken) this.o.isolationCap?.giveBack();
      this.record(d, jobId, applied, [], null, 0, 'failed', `${note}${note ? '; ' : ''}${(e as Error).message}`);
      this.log.error({ ...ctx, err: (e as Error).message, retryable: !(e instanceof EnforcerError) || e.retryable }, 'enforcement failed');
      throw e;
    }
    const oldIds = new Set(active.map((r) => r.id));
    const now = this.now();
    this.o.store.update((all) => {
      for (const r of all) {
        if (oldIds.has(r.id) && r.status === 'active') {
          r.status = 'superseded';
          r.note = `${r.note}${r.note ? '; ' : ''}superseded by ${d.id}`;
          r.endedAtMs = now;
        }
      }
      upsert(all, this.newRecord(d, jobId, applied, nftAdd, tc, ttlMs, 'active', note));
    });
    this.log.info({ ...ctx, applied, ttlMs, rateKbps: tc?.kbps, port: tc?.port, elements: nftAdd.length }, renewing ? 'mitigation renewed' : 'mitigation applied');
    return renewing ? 'renewed' : 'applied';
  }

  /** Lifts active records matching `match` (by hand, or when a decision steps down). */
  liftWhere(match: (r: MitigationRecord) => boolean, note: string): Promise<MitigationRecord[]> {
    return liftMitigations(this.o.store, match, 'lifted', note, this.liftOptions());
  }

  /** Ends records whose expiry passed: nft elements are already gone (kernel timeouts); tc limits are removed here. */
  sweep(): Promise<MitigationRecord[]> {
    const now = this.now();
    return liftMitigations(this.o.store, (r) => r.netns === this.o.netns && r.expiresAtMs <= now, 'expired', 'expired', this.liftOptions());
  }

  /** Sweeps now (what a dead predecessor left) and then every `intervalMs`; the timer does not keep Node alive. */
  startSweeper(intervalMs = 1000): void {
    if (this.sweeper !== null) return;
    const tick = (): void => {
      this.sweep().catch((e: unknown) => this.log.error({ err: (e as Error).message, netns: this.o.netns }, 'expiry sweep failed; retried next tick'));
    };
    tick();
    this.sweeper = setInterval(tick, intervalMs);
    this.sweeper.unref();
  }

  stopSweeper(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private liftOptions(): LiftOptions {
    // Records of this netns reuse the actuators' runner (its PATH and prefix); others get a plain one.
    const own = (this.o.nft ?? this.o.tc)?.runner;
    const runnerFor = (ns: string | null): CommandRunner => (own !== undefined && own.netns === ns ? own : new CommandRunner({ netns: ns }));
    return { now: this.now, runnerFor, ...this.o.liftOptions };
  }

  private refuse(d: MitigationDecision, jobId: string, why: string): ApplyOutcome {
    this.record(d, jobId, null, [], null, 0, 'refused', why);
    this.log.warn({ decisionId: d.id, jobId, vmId: d.vmId, action: d.action, enforcer: this.kind, reason: why }, 'mitigation refused');
    return 'refused';
  }

  private record(d: MitigationDecision, jobId: string, applied: AppliedAction | null, nft: NftElement[], tc: TcTargets | null, ttlMs: number, status: MitigationRecord['status'], note: string): void {
    const rec = this.newRecord(d, jobId, applied, nft, tc, ttlMs, status, note);
    this.o.store.update((all) => upsert(all, rec));
  }

  private newRecord(d: MitigationDecision, jobId: string, applied: AppliedAction | null, nft: NftElement[], tc: TcTargets | null, ttlMs: number, status: MitigationRecord['status'], note: string): MitigationRecord {
    const now = this.now();
    return {
      id: d.id, jobId, vmId: d.vmId, requested: d.action, applied, enforcer: this.kind, netns: this.o.netns, nft, tc,
      appliedAtMs: now, expiresAtMs: now + ttlMs, status, note, endedAtMs: status === 'active' ? null : now,
    };
  }
}

function upsert(all: MitigationRecord[], rec: MitigationRecord): void {
  const i = all.findIndex((r) => r.id === rec.id);
  if (i >= 0) all[i] = rec;
  else all.push(rec);
}
