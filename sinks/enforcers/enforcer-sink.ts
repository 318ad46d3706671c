/**
 * In-process enforcement for the embedded pipeline (no BullMQ): a StreamSink on `mitigations` that
 * hands each decision to an enforcer off the hot path, in order per VM, with retries and backoff,
 * and records when each one took effect. A decision that fails every attempt is logged, reported via
 * onFailed and kept in failures(); it is never dropped silently.
 */
import type { MitigationDecision } from '../../schemas/types';
import type { Enforcer } from '../bullmq/enforcer';
import type { StreamSink } from '../stream-sink';
import { EnforcerError } from './enforcer-errors';
import { stderrEnforcerLog, type EnforcerLog } from './enforcer-log';
import type { ApplyOutcome } from './linux-enforcer';

export interface EnforcementTime {
  decisionId: string;
  vmId: string;
  action: string;
  /** Event time of the decision (the triggering packet), microseconds. */
  decisionTsUs: number;
  /** When the sink got the decision and when the enforcer finished with it (wall clock, ms). */
  receivedAtMs: number;
  appliedAtMs: number;
  /** appliedAtMs - receivedAtMs: queueing behind the VM's earlier decisions plus the kernel change. */
  applyMs: number;
  attempts: number;
  outcome: ApplyOutcome;
}

export interface EnforcementFailure {
  decision: MitigationDecision;
  attempts: number;
  error: Error;
}

export interface EnforcerSinkOptions {
  /** Default 'mitigations'; other streams are ignored. */
  stream?: string;
  /** Attempts per decision (default 5); a non-retryable EnforcerError stops at the first. */
  attempts?: number;
  /** First retry delay, doubling (default 200 ms). */
  backoffMs?: number;
  log?: EnforcerLog;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onApplied?(t: EnforcementTime): void;
  onFailed?(f: EnforcementFailure): void;
}

export interface EnforcerSinkStats {
  received: number;
  /** Decisions the enforcer finished with (whatever the outcome), and those that failed every attempt. */
  applied: number;
  failed: number;
  pending: number;
  /** What the finished ones did: applied, renewed, lifted, refused, noop, ... */
  outcomes: Partial<Record<ApplyOutcome, number>>;
}

/** Enforcers that report what they did (LinuxEnforcer); others count as 'applied'. */
interface ReportingEnforcer extends Enforcer {
  applyDecision(d: MitigationDecision, jobId: string): Promise<ApplyOutcome>;
}

const MAX_TIMES = 10_000;
/** Every enforcement in this process, kept after the sink closes so a test can read it after a run. */
const processTimes: EnforcementTime[] = [];

export class EnforcerSink implements StreamSink {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly times: EnforcementTime[] = [];
  private readonly failed: EnforcementFailure[] = [];
  private readonly counters = { received: 0, applied: 0, failed: 0, pending: 0 };
  private readonly outcomes: Partial<Record<ApplyOutcome, number>> = {};
  private readonly stream: string;
  private readonly log: EnforcerLog;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(readonly enforcer: Enforcer, private readonly o: EnforcerSinkOptions = {}) {
    this.stream = o.stream ?? 'mitigations';
    this.log = o.log ?? stderrEnforcerLog();
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  write(stream: string, _key: string, value: unknown): void {
    if (stream !== this.stream) return;
    const v = value as MitigationDecision;
    // Copied: the runtime may reuse the value after the call.
    const d: MitigationDecision = { ...v, flow: v.flow === null ? null : { ...v.flow } };
    const receivedAtMs = this.now();
    this.counters.received++;
    this.counters.pending++;
    const prev = this.chains.get(d.vmId) ?? Promise.resolve();
    const next = prev.then(() => this.applyWithRetry(d, receivedAtMs));
    this.chains.set(d.vmId, next);
    void next.then(() => {
      if (this.chains.get(d.vmId) === next) this.chains.delete(d.vmId);
    });
  }

  /** Waits until every decision received so far is applied or has failed every attempt. */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  enforcementTimes(): EnforcementTime[] {
    return [...this.times];
  }

  failures(): EnforcementFailure[] {
    return [...this.failed];
  }

  stats(): EnforcerSinkStats {
    return { ...this.counters, outcomes: { ...this.outcomes } };
  }

  private async applyWithRetry(d: MitigationDecision, receivedAtMs: number): Promise<void> {
    const attempts = Math.max(1, this.o.attempts ?? 5);
    let made = 0;
    for (;;) {
      made++;
      try {
        const e = this.enforcer as Partial<ReportingEnforcer>;
        const outcome = typeof e.applyDecision === 'function' ? await e.applyDecision.call(this.enforcer, d, d.id) : (await this.enforcer.apply(d, d.id), 'applied' as const);
        const appliedAtMs = this.now();
        const t: EnforcementTime = { decisionId: d.id, vmId: d.vmId, action: d.action, decisionTsUs: d.tsUs, receivedAtMs, appliedAtMs, applyMs: appliedAtMs - receivedAtMs, attempts: made, outcome };
        if (this.times.length >= MAX_TIMES) this.times.shift();
        this.times.push(t);
        if (processTimes.length >= MAX_TIMES) processTimes.shift();
        processTimes.push(t);
        this.counters.applied++;
        this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
        this.counters.pending--;
        this.o.onApplied?.(t);
        return;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const retryable = !(error instanceof EnforcerError) || error.retryable;
        if (made >= attempts || !retryable) {
          this.counters.failed++;
          this.counters.pending--;
          const f: EnforcementFailure = { decision: d, attempts: made, error };
          this.failed.push(f);
          this.log.error({ decisionId: d.id, vmId: d.vmId, action: d.action, attempts: made, retryable, err: error.message }, 'mitigation not enforced: every attempt failed');
          this.o.onFailed?.(f);
          return;
        }
        const delay = (this.o.backoffMs ?? 200) * 2 ** (made - 1);
        this.log.warn({ decisionId: d.id, vmId: d.vmId, attempt: made, retryInMs: delay, err: error.message }, 'enforcement attempt failed; retrying');
        await this.sleep(delay);
      }
    }
  }
}

export function createEnforcerSink(enforcer: Enforcer, options: EnforcerSinkOptions = {}): EnforcerSink {
  return new EnforcerSink(enforcer, options);
}

/** Enforcements of every enforcer sink in this process (open or closed), in completion order: the lab test reads these. */
export function enforcementTimes(): EnforcementTime[] {
  return [...processTimes];
}

export function clearEnforcementTimes(): void {
  processTimes.length = 0;
}
