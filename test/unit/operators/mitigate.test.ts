import { OperatorHarness } from '../../harness/operator-harness';
import { mitigateOperator, type MitigateState } from '../../../operators/mitigate';
import type { PacketRecord } from '../../../operators/packet-record';
import type { ForensicRecord, MitigationDecision, PacketEvent } from '../../../schemas/types';
import type { PolicyInput } from '../../../operators/policy';
import { rec, T0 } from './make-packet';

const MS = 1000;
const S = 1_000_000;
const THRESHOLD = 2;

const POLICY: PolicyInput = {
  tiers: [
    { above: 1.0, action: 'ALERT' },
    { above: 2.0, action: 'RATE_LIMIT', rateKbps: 1000 },
    { above: 4.0, action: 'DROP' },
    { above: 8.0, action: 'ISOLATE' },
  ],
  scrubWhen: { entropyAbove: 7.5, action: 'SCRUB' },
  minAnomalies: 3,
  window: '10s',
  cooldown: '30s',
  hysteresis: 0.2,
  expireAfter: '5m',
  allowList: ['vm-dns-1', '10.9.0.0/16', 'fd00::/8'],
};

let seq = 0;
/** A record as score leaves it; anomalous (with an anomaly) when ratio > 1. */
function scored(t: number, ratio: number, over: Partial<PacketEvent> = {}, entropy = 3): PacketRecord {
  const r = rec({ tsUs: t, ...over });
  r.entropy = entropy;
  const score = ratio * THRESHOLD;
  const anomalous = ratio > 1;
  const breakdown = { size: score, flags: 0, entropy: 0, iat: 0, baseline: 0 };
  r.score = { score, threshold: THRESHOLD, anomalous, breakdown, topFeature: 'size', warmingUp: false };
  if (anomalous) {
    const p = r.packet;
    r.anomaly = {
      id: `${p.vmId}:${t}:${seq++}`, tsUs: t, vmId: p.vmId, accountId: p.accountId, vnetId: p.vnetId, score,
      threshold: THRESHOLD, breakdown, topFeature: 'size', actual: p,
      predicted: { size: 100, tcpFlags: 0x10, entropy: 3, iatUs: 1000 },
      baseline: { scope: 'vm', key: p.vmId, packets: 1000, meanSize: 100, stdSize: 10, meanIatUs: 1000, stdIatUs: 100, meanEntropy: 3, stdEntropy: 1, protocolMix: {}, distinctPeers: 3, distinctPorts: 2 },
      modelVersion: 'baseline-only',
    };
  }
  return r;
}

function decisions(h: OperatorHarness<PacketRecord, PacketRecord>): MitigationDecision[] {
  return h.sideOutput('mitigations').map((e) => e.value as MitigationDecision);
}

describe('mitigate operator', () => {
  it('makes a handful of decisions for a 100k-packet flood, not one per packet', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: POLICY });
    let t = T0;
    for (let i = 0; i < 100_000; i++) h.process('vm-1', scored((t += 10), 5));
    const during = decisions(h);
    expect(during.map((d) => [d.action, d.previousAction])).toEqual([['ALERT', 'NONE'], ['DROP', 'ALERT']]);
    // the third anomaly passes the burst gate
    expect(during[1].tsUs).toBe(T0 + 30);
    expect(during[1].id).toBe(`vm-1:DROP:${T0 + 30}`);
    expect(during[1]).toMatchObject({ vmId: 'vm-1', accountId: 'acct-a', vnetId: 'vnet-1', dryRun: false, rateKbps: null, flow: null, expiresAtUs: T0 + 30 + 300 * S });
    const forensics = h.sideOutput('forensics');
    expect(forensics).toHaveLength(100_000);
    const lastF = forensics[99_999].value as ForensicRecord;
    expect(lastF.decision!.action).toBe('DROP');
    expect(lastF.incidentId).toBeNull();
    expect(lastF.reconstructed).toEqual([]);
    expect((forensics[0].value as ForensicRecord).decision!.action).toBe('ALERT');
    // the flood stops: the VM steps down after the cooldown, by event-time timers, to NONE
    h.advanceWatermark(t + 10 * 60 * S);
    const all = decisions(h);
    expect(all.length).toBeLessThanOrEqual(5);
    expect(all[all.length - 1].action).toBe('NONE');
    expect(h.state<MitigateState>('mitigate', 'vm-1')!.action).toBe('NONE');
    expect(new Set(all.map((d) => d.id)).size).toBe(all.length);
    await h.close();
  });

  it('holds an action for the cooldown even when the VM calms down at once', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: POLICY });
    let t = T0;
    for (let i = 0; i < 5; i++) h.process('vm-1', scored((t += MS), 5));
    const dropAt = decisions(h)[1].tsUs;
    // normal traffic for 29 s: still DROP
    while (t < dropAt + 29 * S) h.process('vm-1', scored((t += 100 * MS), 0.3));
    expect(decisions(h)).toHaveLength(2);
    while (t < dropAt + 31 * S) h.process('vm-1', scored((t += 100 * MS), 0.3));
    const d = decisions(h);
    expect(d).toHaveLength(3);
    expect(d[2]).toMatchObject({ action: 'NONE', previousAction: 'DROP' });
    expect(d[2].tsUs).toBeGreaterThanOrEqual(dropAt + 30 * S);
    await h.close();
  });

  it('de-escalates only below tier * (1 - hysteresis)', async () => {
    async function run(hysteresis: number): Promise<MitigationDecision[]> {
      const h = await OperatorHarness.create(mitigateOperator, { policy: { ...POLICY, hysteresis, cooldown: '1s' } });
      let t = T0;
      for (let i = 0; i < 5; i++) h.process('vm-1', scored((t += MS), 5)); // DROP (tier 4)
      for (let i = 0; i < 100; i++) h.process('vm-1', scored((t += 100 * MS), 3.5)); // 10 s at 3.5
      const out = decisions(h);
      await h.close();
      return out;
    }
    // 3.5 >= 4 * 0.8: DROP is held
    expect((await run(0.2)).map((d) => d.action)).toEqual(['ALERT', 'DROP']);
    // without hysteresis 3.5 < 4 steps down to RATE_LIMIT
    expect((await run(0)).map((d) => d.action)).toEqual(['ALERT', 'DROP', 'RATE_LIMIT']);
  });

  it('lets one odd packet alert but not act until minAnomalies fall within the window', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: POLICY });
    h.process('vm-1', scored(T0, 20));
    h.process('vm-1', scored(T0 + 11 * S, 20)); // the first is out of the 10 s window by now
    expect(decisions(h).map((d) => d.action)).toEqual(['ALERT']);
    h.process('vm-1', scored(T0 + 12 * S, 20));
    expect(decisions(h).map((d) => d.action)).toEqual(['ALERT']);
    h.process('vm-1', scored(T0 + 13 * S, 20));
    expect(decisions(h).map((d) => d.action)).toEqual(['ALERT', 'ISOLATE']);
    await h.close();
  });

  it('escalates with persistence when tiers ask for their own anomaly counts (the shipped default policy)', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: 'policies/default.yaml' });
    let t = T0;
    const at: Record<string, number> = {};
    for (let i = 1; i <= 150; i++) {
      h.process('vm-1', scored((t += 10 * MS), 1.8));
      for (const d of decisions(h)) at[d.action] ??= i;
    }
    // ALERT at once, RATE_LIMIT (ratio >= 1.2) at the 10th anomaly in 10 s, DROP (>= 1.5) at the 100th
    expect(at).toEqual({ ALERT: 1, RATE_LIMIT: 10, DROP: 100 });
    // a benign VM's handful of anomalies, even at a high ratio, stays an ALERT
    for (let i = 0; i < 5; i++) h.process('vm-2', scored((t += S), 2.5, { vmId: 'vm-2' }));
    expect(decisions(h).filter((d) => d.vmId === 'vm-2').map((d) => d.action)).toEqual(['ALERT']);
    await h.close();
  });

  it('never goes past ALERT for allow-listed VMs (by id, IPv4 CIDR or IPv6 CIDR)', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: POLICY });
    let t = T0;
    for (let i = 0; i < 50; i++) {
      h.process('vm-dns-1', scored((t += MS), 20, { vmId: 'vm-dns-1', srcIp: '192.168.7.7' }));
      h.process('vm-infra', scored((t += MS), 20, { vmId: 'vm-infra', srcIp: '10.9.3.4' }));
      h.process('vm-v6', scored((t += MS), 20, { vmId: 'vm-v6', srcIp: 'fd00::17', dstIp: '2001:db8::1' }));
      h.process('vm-web', scored((t += MS), 20, { vmId: 'vm-web', srcIp: '10.10.3.4' }));
    }
    const byVm = new Map<string, string[]>();
    for (const d of decisions(h)) byVm.set(d.vmId, [...(byVm.get(d.vmId) ?? []), d.action]);
    expect(byVm.get('vm-dns-1')).toEqual(['ALERT']);
    expect(byVm.get('vm-infra')).toEqual(['ALERT']);
    expect(byVm.get('vm-v6')).toEqual(['ALERT']);
    expect(byVm.get('vm-web')).toEqual(['ALERT', 'ISOLATE']);
    await h.close();
  });

  it('scrubs high-entropy payloads instead of rate-limiting them', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: POLICY });
    let t = T0;
    for (let i = 0; i < 5; i++) h.process('vm-1', scored((t += MS), 2.5, {}, 7.9));
    for (let i = 0; i < 5; i++) h.process('vm-2', scored((t += MS), 2.5, { vmId: 'vm-2' }, 4));
    expect(decisions(h).map((d) => `${d.vmId}:${d.action}`)).toEqual(['vm-1:ALERT', 'vm-1:SCRUB', 'vm-2:ALERT', 'vm-2:RATE_LIMIT']);
    expect(decisions(h)[3].rateKbps).toBe(1000);
    await h.close();
  });

  it('renews an action while anomalies go on and lifts it at expiry when they stop', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: { ...POLICY, cooldown: '1h', expireAfter: '60s' } });
    let t = T0;
    for (let i = 0; i < 5; i++) h.process('vm-1', scored((t += MS), 5));
    for (let i = 0; i < 40; i++) h.process('vm-1', scored((t += S), 5)); // 40 s more of anomalies
    let d = decisions(h);
    expect(d.map((x) => x.action)).toEqual(['ALERT', 'DROP', 'DROP']);
    expect(d[2].reason).toMatch(/renewed/);
    const expiresAt = d[2].expiresAtUs;
    h.advanceWatermark(expiresAt - 1);
    expect(decisions(h)).toHaveLength(3);
    h.advanceWatermark(expiresAt);
    d = decisions(h);
    expect(d).toHaveLength(4);
    expect(d[3]).toMatchObject({ action: 'NONE', previousAction: 'DROP', tsUs: expiresAt, id: `vm-1:NONE:${expiresAt}` });
    expect(d[3].reason).toMatch(/expired/);
    await h.close();
  });

  it('marks decisions dryRun from the config or from the policy file', async () => {
    for (const [config, expected] of [
      [{ policy: POLICY, dryRun: true }, true],
      [{ policy: 'policies/dry-run.yaml' }, true],
      [{ policy: 'policies/default.yaml' }, false],
    ] as const) {
      const h = await OperatorHarness.create(mitigateOperator, config);
      let t = T0;
      for (let i = 0; i < 5; i++) h.process('vm-1', scored((t += MS), 5));
      const d = decisions(h);
      expect(d.length).toBeGreaterThan(0);
      expect(d.every((x) => x.dryRun === expected)).toBe(true);
      await h.close();
    }
  });

  it('passes every record on unchanged and keeps no state for VMs without anomalies', async () => {
    const h = await OperatorHarness.create(mitigateOperator, { policy: POLICY });
    const r = scored(T0, 0.5);
    expect(h.process('vm-quiet', r)).toEqual([r]);
    expect(h.state('mitigate', 'vm-quiet')).toBeUndefined();
    const a = scored(T0 + 1, 3);
    a.reconstructed = [{ size: 1, tcpFlags: 0, entropy: 0, iatUs: 5 }];
    expect(h.process('vm-1', a)[0]).toBe(a);
    const f = h.sideOutput('forensics')[0];
    expect(f.key).toBe('vm-1');
    expect(f.value).toEqual({ anomaly: a.anomaly, reconstructed: a.reconstructed, decision: decisions(h)[0], incidentId: null });
    await h.close();
  });
});
