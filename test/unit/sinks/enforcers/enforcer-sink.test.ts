/** The in-process enforcer sink: order per VM, retries with backoff, failures reported, times recorded. */
import type { MitigationDecision } from '../../../../schemas/types';
import type { Enforcer } from '../../../../sinks/bullmq';
import { clearEnforcementTimes, createEnforcerSink, enforcementTimes, MissingToolError } from '../../../../sinks/enforcers';
import { decision, memoryLog } from './decision-fixture';

class ScriptedEnforcer implements Enforcer {
  readonly kind = 'scripted';
  readonly applied: string[] = [];
  constructor(private readonly plan: (d: MitigationDecision, attempt: number) => Promise<void>) {}
  private readonly attempts = new Map<string, number>();
  async apply(d: MitigationDecision): Promise<void> {
    const n = (this.attempts.get(d.id) ?? 0) + 1;
    this.attempts.set(d.id, n);
    await this.plan(d, n);
    this.applied.push(d.id);
  }
}

const noSleep = (): Promise<void> => Promise.resolve();

describe('EnforcerSink', () => {
  beforeEach(() => clearEnforcementTimes());

  it('applies decisions of one VM in order even when an earlier one is slower', async () => {
    const e = new ScriptedEnforcer((d) => new Promise((r) => setTimeout(r, d.action === 'RATE_LIMIT' ? 30 : 1)));
    const sink = createEnforcerSink(e, { log: memoryLog(), sleep: noSleep });
    const first = decision('a', 'RATE_LIMIT');
    const second = decision('a', 'DROP');
    const other = decision('b', 'DROP');
    sink.write('mitigations', 'a', first);
    sink.write('mitigations', 'a', second);
    sink.write('mitigations', 'b', other);
    sink.write('anomalies', 'a', {});
    await sink.flush();
    expect(e.applied.indexOf(first.id)).toBeLessThan(e.applied.indexOf(second.id));
    expect(e.applied.indexOf(other.id)).toBeLessThan(e.applied.indexOf(first.id));
    expect(sink.stats()).toEqual({ received: 3, applied: 3, failed: 0, pending: 0, outcomes: { applied: 3 } });
    expect(enforcementTimes().map((t) => t.decisionId).sort()).toEqual([first.id, second.id, other.id].sort());
  });

  it('retries a failing apply with doubling backoff, then records its time and attempts', async () => {
    const delays: number[] = [];
    const e = new ScriptedEnforcer(async (_d, n) => { if (n < 3) throw new Error(`transient ${n}`); });
    const log = memoryLog();
    let t = 1000;
    const sink = createEnforcerSink(e, { log, now: () => (t += 5), sleep: async (ms) => { delays.push(ms); }, backoffMs: 100 });
    const dec = decision('a', 'DROP');
    sink.write('mitigations', 'a', dec);
    await sink.flush();
    expect(delays).toEqual([100, 200]);
    expect(sink.enforcementTimes()).toEqual([expect.objectContaining({ decisionId: dec.id, attempts: 3, outcome: 'applied', applyMs: 5 })]);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.obj.err)).toEqual(['transient 1', 'transient 2']);
  });

  it('reports a decision that fails every attempt, and stops at once on a non-retryable error', async () => {
    const failed: string[] = [];
    const log = memoryLog();
    const e = new ScriptedEnforcer(async (d) => {
      throw d.vmId === 'a' ? new Error('kernel said no') : new MissingToolError('nft', '/nowhere');
    });
    const sink = createEnforcerSink(e, { log, sleep: noSleep, attempts: 4, onFailed: (f) => failed.push(`${f.decision.vmId}:${f.attempts}`) });
    sink.write('mitigations', 'a', decision('a', 'DROP'));
    sink.write('mitigations', 'b', decision('b', 'DROP'));
    await sink.close();
    expect(failed.sort()).toEqual(['a:4', 'b:1']);
    expect(sink.failures().map((f) => f.error.message)).toContain('nft not found: searched PATH=/nowhere; install it (apt-get install nftables)');
    expect(log.lines.filter((l) => l.level === 'error' && l.msg.includes('not enforced'))).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ applied: 0, failed: 2, pending: 0 });
  });

  it('copies the decision: a runtime reusing the object does not change what is applied', async () => {
    const seen: string[] = [];
    const e = new ScriptedEnforcer(async (d) => { seen.push(`${d.action}:${d.flow?.dstPort}`); });
    const sink = createEnforcerSink(e, { log: memoryLog() });
    const dec = decision('a', 'DROP', { flow: { srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 80, protocol: 6 } });
    sink.write('mitigations', 'a', dec);
    dec.action = 'NONE';
    dec.flow!.dstPort = 1;
    await sink.flush();
    expect(seen).toEqual(['DROP:80']);
  });
});
