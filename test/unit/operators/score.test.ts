import { OperatorHarness } from '../../harness/operator-harness';
import { scoreOperator, type ScoreState } from '../../../operators/score';
import type { BaselineDeviation, PacketRecord } from '../../../operators/packet-record';
import type { Anomaly, BaselineSnapshot, PacketEvent } from '../../../schemas/types';
import { rec, T0, prng } from './make-packet';

const MS = 1000;

/** A record as predict would leave it: the model expected `predSize` where `size` came. */
function predicted(t: number, size: number, predSize: number, over: Partial<PacketEvent> = {}): PacketRecord {
  const r = rec({ tsUs: t, size, ...over });
  r.iatUs = 10 * MS;
  r.predicted = { size: predSize, tcpFlags: 0x18, entropy: 0, iatUs: 10 * MS };
  r.modelVersion = 'lstm-test-3';
  return r;
}

function snapshot(over: Partial<BaselineSnapshot> = {}): BaselineSnapshot {
  return {
    scope: 'vm', key: 'vm-1', packets: 1000, meanSize: 500, stdSize: 50, meanIatUs: 10 * MS, stdIatUs: 1 * MS,
    meanEntropy: 4, stdEntropy: 0.5, protocolMix: { tcp: 1, udp: 0, icmp: 0, other: 0 }, distinctPeers: 5, distinctPorts: 1,
    ...over,
  };
}

function deviation(total: number, snap: BaselineSnapshot): BaselineDeviation {
  return {
    sizeZ: 0, iatZ: 0, entropyZ: 0, protocolSurprise: 0, portSurprise: 0, newPeer: 0, newPort: 0, fanout: 1,
    total, scope: 'vm', vmPackets: snap.packets, snapshot: snap,
  };
}

describe('score operator', () => {
  it('uses the default threshold while warming up, then q-quantile * margin of the VM\'s own scores', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 500, quantile: 0.999, margin: 1.5, minThreshold: 0.01, defaultThreshold: 8 });
    const r = prng(3);
    const scores: number[] = [];
    let t = T0;
    for (let i = 0; i < 500; i++) {
      const out = h.process('vm-1', predicted((t += 10 * MS), 500, 500 * (1 + 0.2 * (r() - 0.5))))[0];
      expect(out.score!.warmingUp).toBe(true);
      expect(out.score!.threshold).toBe(8);
      scores.push(out.score!.score);
    }
    const max = Math.max(...scores);
    const st = h.state<ScoreState>('score', 'vm-1')!;
    // q = 0.999 of 500 scores is their maximum; the histogram rounds it up by at most one bucket (4.4 %)
    expect(st.threshold).toBeGreaterThanOrEqual(max * 1.5);
    expect(st.threshold).toBeLessThanOrEqual(max * 1.5 * 1.045);
    const next = h.process('vm-1', predicted((t += 10 * MS), 500, 500))[0].score!;
    expect(next.warmingUp).toBe(false);
    expect(next.threshold).toBe(st.threshold);
    expect(next.anomalous).toBe(false);
    await h.close();
  });

  it('honours minThreshold and per-account warm-up thresholds', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 20, minThreshold: 2, accountThresholds: { 'acct-z': 0.1 } });
    let t = T0;
    // |log1p(600) - log1p(500)| = 0.18: above acct-z's 0.1, far below the default 30 of other accounts
    const z = h.process('vm-z', predicted((t += MS), 600, 500, { vmId: 'vm-z', accountId: 'acct-z' }))[0].score!;
    expect(z.score).toBeCloseTo(Math.log1p(600) - Math.log1p(500), 9);
    expect(z.threshold).toBe(0.1);
    expect(z.anomalous).toBe(true);
    expect(z.warmingUp).toBe(true);
    const a = h.process('vm-a', predicted((t += MS), 600, 500, { vmId: 'vm-a' }))[0].score!;
    expect(a.threshold).toBe(30); // the default warm-up threshold
    const proto = h.process('vm-c', predicted((t += MS), 600, 500, { vmId: 'vm-c', accountId: 'constructor' }))[0].score!;
    expect(proto.threshold).toBe(30);
    expect(a.anomalous).toBe(false);
    // perfect predictions: the quantile is ~0, so the threshold is the floor
    for (let i = 0; i < 20; i++) h.process('vm-a', predicted((t += MS), 500, 500, { vmId: 'vm-a' }));
    expect(h.state<ScoreState>('score', 'vm-a')!.threshold).toBe(2);
    await h.close();
  });

  it('builds the anomaly record and emits it to "anomalies" keyed by vmId', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 100 });
    let t = T0;
    for (let i = 0; i < 100; i++) h.process('vm-1', predicted((t += 10 * MS), 500, 500 + (i % 7)));
    const out = h.process('vm-1', predicted((t += 10 * MS), 1500, 60, { tcpFlags: 0x02 }))[0];
    const s = out.score!;
    expect(s.anomalous).toBe(true);
    expect(s.topFeature).toBe('size');
    expect(s.breakdown.size).toBeCloseTo(Math.abs(Math.log1p(1500) - Math.log1p(60)), 9);
    expect(s.breakdown.flags).toBeCloseTo(3 / 8, 9); // 0x02 ^ 0x18 = 0x1a: three bits differ
    const a = out.anomaly!;
    expect(a.id).toBe(`vm-1:${t}:100`);
    expect(a).toMatchObject({ vmId: 'vm-1', accountId: 'acct-a', vnetId: 'vnet-1', tsUs: t, modelVersion: 'lstm-test-3', topFeature: 'size' });
    expect(a.predicted).toEqual({ size: 60, tcpFlags: 0x18, entropy: 0, iatUs: 10 * MS });
    expect(a.actual).toBe(out.packet);
    expect(a.score).toBe(s.score);
    expect(a.threshold).toBe(s.threshold);
    expect(a.baseline.scope).toBe('none');
    const side = h.sideOutput('anomalies');
    expect(side).toHaveLength(1);
    expect(side[0].key).toBe('vm-1');
    expect(side[0].value).toBe(a);
    await h.close();
  });

  it('without a model compares with the baseline\'s expectation and adds the baseline term', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 50, weights: { baseline: 2 } });
    const snap = snapshot();
    let t = T0;
    let last!: PacketRecord;
    for (let i = 0; i < 60; i++) {
      const r = rec({ tsUs: (t += 10 * MS), size: 500, tcpFlags: 0x10, payload: Buffer.from('abcd'.repeat(4)) });
      r.iatUs = 10 * MS;
      r.entropy = 2;
      r.baseline = deviation(0.5, snap);
      last = h.process('vm-1', r)[0];
    }
    const b = last.score!.breakdown;
    expect(b.size).toBeCloseTo(0, 9);
    expect(b.iat).toBeCloseTo(0, 9);
    expect(b.flags).toBe(0); // ACK every time: the expectation learnt is ACK
    expect(b.entropy).toBeCloseTo((2 * Math.abs(2 - 4)) / 8, 9);
    expect(b.baseline).toBeCloseTo(1, 9);
    const odd = rec({ tsUs: (t += 10 * MS), size: 1400, tcpFlags: 0x02 });
    odd.iatUs = 10;
    odd.baseline = deviation(9, snap);
    const out = h.process('vm-1', odd)[0];
    expect(out.score!.anomalous).toBe(true);
    expect(out.anomaly!.modelVersion).toBe('baseline-only');
    expect(out.anomaly!.predicted).toEqual({ size: 500, tcpFlags: 0x10, entropy: 4, iatUs: 10 * MS });
    expect(out.anomaly!.baseline).toBe(snap);
    expect(out.anomaly!.topFeature).toBe('baseline');
    await h.close();
  });

  it('starts calibrating only once the baseline judges the VM by its own history', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 50, calibrateAfter: 200 });
    const snap = snapshot();
    let t = T0;
    const feed = (vmPackets: number): PacketRecord => {
      const r = rec({ tsUs: (t += 10 * MS), size: 500 });
      r.iatUs = 10 * MS;
      r.baseline = { ...deviation(0.5, snap), vmPackets };
      return h.process('vm-1', r)[0];
    };
    for (let i = 0; i < 199; i++) expect(feed(i).score!.warmingUp).toBe(true);
    expect(h.state<ScoreState>('score', 'vm-1')!.calibrated).toBe(0);
    for (let i = 0; i < 49; i++) feed(200 + i);
    expect(h.state<ScoreState>('score', 'vm-1')!.calibrated).toBe(49);
    expect(feed(300).score!.warmingUp).toBe(true);
    const after = feed(301).score!;
    expect(after.warmingUp).toBe(false);
    expect(after.threshold).toBe(h.state<ScoreState>('score', 'vm-1')!.threshold);
    await h.close();
  });

  it('never learns from anomalous scores, so a long attack cannot raise its own threshold', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 200, recalibrateEvery: 16, minThreshold: 0.01 });
    const r = prng(11);
    let t = T0;
    for (let i = 0; i < 200; i++) h.process('vm-1', predicted((t += 10 * MS), 500, 500 * (1 + 0.1 * (r() - 0.5))));
    const before = h.state<ScoreState>('score', 'vm-1')!.threshold;
    let flagged = 0;
    for (let i = 0; i < 2000; i++) {
      const out = h.process('vm-1', predicted((t += MS), 1400, 500))[0];
      if (out.score!.anomalous) flagged++;
      if (i % 10 === 0) h.process('vm-1', predicted((t += MS), 500, 500 * (1 + 0.1 * (r() - 0.5))));
    }
    expect(flagged).toBe(2000);
    const after = h.state<ScoreState>('score', 'vm-1')!;
    expect(after.threshold).toBeLessThanOrEqual(before * 1.05);
    // The 200 normal packets interleaved may be flagged too while the VM's evidence is sustained (the
    // ones scoring above the evidence threshold), but the attack packets are all there.
    expect(after.anomalies).toBeGreaterThanOrEqual(2000);
    expect(after.anomalies).toBeLessThan(2000 + 100);
    expect(h.sideOutput('anomalies')).toHaveLength(after.anomalies);
    await h.close();
  });

  it('calibrates a quiet VM on warmupQuiet scores spanning warmupAge, and not on traffic with young peers', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 500, warmupQuiet: 8, warmupAge: '15s', minThreshold: 0.01 });
    const snap = snapshot();
    let t = T0;
    const feed = (total: number, youngZ = 0): PacketRecord => {
      const r = rec({ tsUs: (t += 2000 * MS), size: 500 });
      r.iatUs = 2000 * MS;
      r.baseline = { ...deviation(total, snap), mature: true, youngZ };
      return h.process('vm-quiet', r)[0];
    };
    // a burst to a young peer while warming up: below the default threshold, and not calibrated on
    for (let i = 0; i < 3; i++) expect(feed(20, 6).score!.anomalous).toBe(false);
    // 8 normal scores 2 s apart span 14 s: not yet warmupAge
    for (let i = 0; i < 8; i++) expect(feed(1).score!.warmingUp).toBe(true);
    expect(h.state<ScoreState>('score', 'vm-quiet')!.calibrated).toBe(8);
    // the 9th spans 16 s: calibrated long before warmupPackets, on the normal scores only
    feed(1);
    const after = h.state<ScoreState>('score', 'vm-quiet')!;
    expect(after.threshold).toBeGreaterThan(0);
    expect(after.threshold).toBeLessThan(5);
    expect(feed(20, 6).score!.anomalous).toBe(true);
    await h.close();
  });

  it('flags a sustained moderate excess through the evidence, not a one-off at the same level', async () => {
    const h = await OperatorHarness.create(scoreOperator, { warmupPackets: 300, minThreshold: 0.01, evidenceWindow: '1s' });
    const snap = snapshot();
    const r = prng(5);
    let t = T0;
    const feed = (total: number, iat = 10 * MS): PacketRecord => {
      const x = rec({ tsUs: (t += iat), size: 500 });
      x.iatUs = iat;
      x.baseline = { ...deviation(total, snap), mature: true };
      return h.process('vm-1', x)[0];
    };
    for (let i = 0; i < 600; i++) feed(1 + r());
    const st = h.state<ScoreState>('score', 'vm-1')!;
    expect(st.threshold).toBeGreaterThan(0);
    // past the VM's normal quantile (threshold / margin) and its evidence threshold, but below its threshold
    const level = st.threshold * 0.95;
    expect(level).toBeGreaterThan(st.threshold / 1.5);
    expect(level).toBeGreaterThan(st.evThreshold);
    expect(feed(level).score!.anomalous).toBe(false);
    for (let i = 0; i < 50; i++) feed(1 + r());
    let flagged = 0;
    for (let i = 0; i < 300; i++) if (feed(level).score!.anomalous) flagged++;
    expect(flagged).toBeGreaterThan(200);
    // and the threshold did not learn the excess
    expect(h.state<ScoreState>('score', 'vm-1')!.threshold).toBe(st.threshold);
    await h.close();
  });
});
