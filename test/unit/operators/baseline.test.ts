import { OperatorHarness } from '../../harness/operator-harness';
import { baselineOperator, type BaselineVmState, type ScopeProfileView } from '../../../operators/baseline';
import type { PacketRecord } from '../../../operators/packet-record';
import type { PacketEvent } from '../../../schemas/types';
import { FEATURE_COUNT } from '../../../operators/internal/profile';
import { rec, T0, prng } from './make-packet';

const MS = 1000;

/** A record as `window` would leave it (iatUs set), for the VM's clock `t`. */
function at(t: number, prevT: number | null, over: Partial<PacketEvent> = {}): PacketRecord {
  const r = rec({ tsUs: t, ...over });
  r.iatUs = prevT === null ? 0 : t - prevT;
  return r;
}

/** Feeds `n` normal packets of `vm`: sizes ~ N(500, 50), 10 ms apart, to 5 known peers on 443. */
function feedNormal(h: OperatorHarness<PacketRecord, PacketRecord>, vm: string, n: number, start: number, acct = 'acct-a', seed = 1): { last: PacketRecord; t: number } {
  const r = prng(seed);
  let prev: number | null = null;
  let t = start;
  let last!: PacketRecord;
  for (let i = 0; i < n; i++) {
    const g = (r() + r() + r() + r() + r() + r() - 3) * Math.SQRT2; // ~N(0,1)
    last = h.process(vm, at(t, prev, { vmId: vm, accountId: acct, size: Math.round(500 + 50 * g), dstIp: `203.0.113.${1 + (i % 5)}` }))[0];
    prev = t;
    t += 10 * MS;
  }
  return { last, t };
}

describe('baseline operator', () => {
  it('scores a packet against the profile before adding it (exact z-score)', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'], zClip: 100 });
    let prev: number | null = null;
    let t = T0;
    let first: PacketRecord | undefined;
    for (let i = 0; i < 300; i++) {
      const out = h.process('vm-1', at(t, prev, { size: 500 }))[0];
      if (i === 0) first = out;
      prev = t;
      t += 10 * MS;
    }
    expect(first!.baseline!.scope).toBe('none');
    expect(first!.baseline!.total).toBe(0);
    const odd = h.process('vm-1', at(t, prev, { size: 1000 }))[0].baseline!;
    // mean 500, std 0 -> floor 8 + 0.05 * 500 = 33 bytes; had the packet been added first the mean would move
    expect(odd.sizeZ).toBeCloseTo(500 / 33, 9);
    expect(odd.iatZ).toBeCloseTo(0, 9);
    expect(odd.scope).toBe('vm');
    expect(odd.vmPackets).toBe(300);
    await h.close();
  });

  it('gives small z-scores for normal traffic and large ones for outliers, with a matching snapshot', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    const { last, t } = feedNormal(h, 'vm-1', 600, T0);
    expect(last.baseline!.sizeZ).toBeLessThan(3.5);
    const snap = last.baseline!.snapshot;
    expect(snap.meanSize).toBeGreaterThan(490);
    expect(snap.meanSize).toBeLessThan(510);
    expect(snap.stdSize).toBeGreaterThan(40);
    expect(snap.stdSize).toBeLessThan(60);
    expect(snap.meanIatUs).toBeCloseTo(10 * MS, 0);
    expect(snap.protocolMix.tcp).toBeCloseTo(1, 9);
    expect(snap.distinctPeers).toBe(5);
    const big = h.process('vm-1', at(t, t - 10 * MS, { size: 1500, dstIp: '203.0.113.1' }))[0].baseline!;
    expect(big.sizeZ).toBe(8); // (1500 - 500) / ~50 = 20, clipped at zClip
    const udp = h.process('vm-1', at(t + 10 * MS, t, { protocol: 17, dstIp: '203.0.113.1' }))[0].baseline!;
    expect(udp.protocolSurprise).toBeGreaterThan(8);
    await h.close();
  });

  it('flags first contacts and fan-out on a port scan, not on the usual peers', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    // 30 s of history at 100 packets/s: the scan below is a small part of the profile's weight
    const { last, t: t0 } = feedNormal(h, 'vm-1', 3000, T0);
    expect(last.baseline!.newPeer).toBe(0);
    expect(last.baseline!.newPort).toBe(0);
    expect(last.baseline!.fanout).toBeLessThan(1);
    const normalTotal = last.baseline!.total;
    let t = t0;
    const scan: Array<NonNullable<PacketRecord['baseline']>> = [];
    for (let port = 1; port <= 200; port++) {
      scan.push(h.process('vm-1', at(t, t - 1 * MS, { dstIp: '198.51.100.7', dstPort: port, size: 60, tcpFlags: 0x02 }))[0].baseline!);
      t += 1 * MS;
    }
    expect(scan[0].newPeer).toBe(1);
    expect(scan[1].newPeer).toBe(0); // the same host again
    expect(scan.filter((b) => b.newPort === 1).length).toBeGreaterThanOrEqual(199); // port 443 was known
    expect(scan[199].fanout).toBeGreaterThan(10);
    expect(scan[199].total).toBeGreaterThan(normalTotal + 3);
    const st = h.state<BaselineVmState>('baseline', 'vm-1')!;
    expect(st.peers.size).toBe(6);
    expect(st.ports.size).toBeGreaterThan(150); // bounded set, 256 slots
    await h.close();
  });

  it('counts only the first contacts the VM makes: new clients reaching a server are not novel', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    const { t: t0 } = feedNormal(h, 'vm-1', 600, T0);
    let t = t0;
    const clients: Array<NonNullable<PacketRecord['baseline']>> = [];
    for (let i = 0; i < 100; i++) {
      t += 10 * MS;
      clients.push(h.process('vm-1', at(t, t - 10 * MS, { direction: 'INGRESS', srcIp: `198.51.100.${i}`, dstIp: '10.0.0.5', srcPort: 50000 + i, dstPort: 443, tcpFlags: 0x02 }))[0].baseline!);
    }
    expect(clients.every((b) => b.newPeer === 0 && b.newPort === 0)).toBe(true);
    expect(clients[99].fanout).toBeLessThan(1);
    const out = h.process('vm-1', at(t + 10 * MS, t, { dstIp: '192.0.2.77', dstPort: 22, tcpFlags: 0x02 }))[0].baseline!;
    expect(out.newPeer).toBe(1);
    expect(out.newPort).toBe(1);
    await h.close();
  });

  it('scores the share of bytes sent to a peer met after the VM\'s profile formed (young), not to its own peers', async () => {
    const upload = async (dstIp: string): Promise<number> => {
      const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
      // 40 s of history (past minHistoryAge) with 5 peers met in the first second
      const { t: t0 } = feedNormal(h, 'vm-1', 4000, T0);
      let t = t0;
      let last!: NonNullable<PacketRecord['baseline']>;
      for (let i = 0; i < 300; i++) {
        t += 1 * MS;
        last = h.process('vm-1', at(t, t - 1 * MS, { dstIp, size: 1400 }))[0].baseline!;
      }
      await h.close();
      return last.youngZ!;
    };
    expect(await upload('198.51.100.50')).toBeGreaterThan(5);
    expect(await upload('203.0.113.1')).toBe(0);
  });

  it('judges a quiet VM by its own profile once it is old enough, not only after minHistory packets', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'], minHistory: 200, minHistoryAge: '30s', minHistoryQuiet: 16 });
    let prev: number | null = null;
    let last!: PacketRecord;
    for (let i = 0; i < 20; i++) {
      const t = T0 + i * 2000 * MS;
      last = h.process('vm-quiet', at(t, prev, { vmId: 'vm-quiet' }))[0];
      prev = t;
      if (i === 10) expect(last.baseline!.mature).toBe(false); // 20 s old
    }
    expect(last.baseline!.mature).toBe(true); // 38 s old, 19 packets before this one
    expect(last.baseline!.scope).toBe('vm');
    await h.close();
  });

  it('goes on from a state checkpointed before young peers and per-class entropy existed', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    const { t } = feedNormal(h, 'vm-1', 300, T0);
    const old = h.state<BaselineVmState>('baseline', 'vm-1') as unknown as Record<string, unknown> & BaselineVmState;
    for (const k of ['firstUs', 'matureAtUs', 'youngBytes', 'egressBytes', 'youngAtUs', 'recentFar', 'peerOpens', 'peerOpensAt']) delete old[k];
    delete (old.profile as Partial<typeof old.profile>).entClass;
    delete (old.peers as Partial<typeof old.peers>).born;
    old.profile.mom.length = 27;
    const b = h.process('vm-1', at(t, t - 10 * MS, { dstIp: '203.0.113.1' }))[0].baseline!;
    expect(b.scope).toBe('vm');
    expect(Number.isFinite(b.total)).toBe(true);
    expect(b.newPeer).toBe(0);
    const st = h.state<BaselineVmState>('baseline', 'vm-1')!;
    expect(st.profile.mom).toHaveLength(3 * FEATURE_COUNT);
    expect(st.profile.entClass).toHaveLength(27);
    expect(st.peerOpens).toHaveLength(st.peers.cap);
    await h.close();
  });

  it('goes on from a state checkpointed before per-peer connection counts existed', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    const { t } = feedNormal(h, 'vm-1', 300, T0);
    const old = h.state<BaselineVmState>('baseline', 'vm-1') as unknown as Record<string, unknown> & BaselineVmState;
    const loose = old as unknown as Record<string, unknown>;
    delete loose.peerOpens;
    delete loose.peerOpensAt;
    old.profile.mom.length = 30;
    const b = h.process('vm-1', at(t, t - 10 * MS, { dstIp: '203.0.113.1', tcpFlags: 0x02 }))[0].baseline!;
    expect(Number.isFinite(b.total)).toBe(true);
    expect(b.opensZ).toBe(0); // the profile has not learnt the feature yet: no judgement
    const st = h.state<BaselineVmState>('baseline', 'vm-1')!;
    expect(st.profile.mom).toHaveLength(3 * FEATURE_COUNT);
    expect(st.peerOpens.filter((x) => x > 0)).toHaveLength(1);
    await h.close();
  });

  it('flags a VM opening connection after connection to a peer it knows, not one connection per peer', async () => {
    // Normal: one connection (SYN + 9 data packets) every 2 s, each to the next of 5 known peers.
    const run = async (burst: boolean) => {
      const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
      let t = T0;
      let prev: number | null = null;
      const send = (dstIp: string, syn: boolean) => {
        const b = h.process('vm-1', at(t, prev, { dstIp, dstPort: 443, srcPort: 40000, tcpFlags: syn ? 0x02 : 0x18, size: syn ? 60 : 500 }))[0].baseline!;
        prev = t;
        return b;
      };
      for (let c = 0; c < 150; c++) {
        for (let i = 0; i < 10; i++) {
          send(`203.0.113.${1 + (c % 5)}`, i === 0);
          t += 200 * MS;
        }
      }
      // Then 40 connections in 4 s: all to one known peer (a flood on a service it uses), or spread as usual.
      let maxZ = 0;
      for (let c = 0; c < 40; c++) {
        for (let i = 0; i < 2; i++) {
          maxZ = Math.max(maxZ, send(burst ? '203.0.113.2' : `203.0.113.${1 + (c % 5)}`, i === 0).opensZ!);
          t += 50 * MS;
        }
      }
      await h.close();
      return maxZ;
    };
    const flood = await run(true);
    const spread = await run(false);
    expect(flood).toBeGreaterThan(4);
    expect(flood).toBeGreaterThan(spread + 2);
  });

  it('keeps a flood abnormal: volume is learnt per unit of time and far-off packets barely teach', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    const r = prng(9);
    let t = T0;
    let prev: number | null = null;
    const send = (iat: number, rate: number, syn: number, over: Partial<PacketEvent> = {}): NonNullable<PacketRecord['baseline']> => {
      t += iat;
      const rr = at(t, prev, over);
      prev = t;
      rr.window = { packets: rate, bytes: rate * 500, distinctPorts: 2, distinctPeers: 5, synRatio: syn, rate };
      return h.process('vm-1', rr)[0].baseline!;
    };
    for (let i = 0; i < 1200; i++) send(50 * MS, 15 + 10 * r(), 0.05 * r());
    const normal = send(50 * MS, 20, 0.03);
    expect(normal.rateZ).toBeLessThan(2);
    // 5 s of SYN flood at 2000 packets/s
    const flood: number[] = [];
    for (let i = 0; i < 10_000; i++) flood.push(send(500, 2000, 0.95, { tcpFlags: 0x02, dstIp: '203.0.113.1' }).rateZ!);
    expect(flood[100]).toBeGreaterThan(5);
    expect(flood[9_999]).toBeGreaterThan(5); // still abnormal at the end of the flood
    await h.close();
  });

  it('scores a new VM against its account profile and damps its novelty, then switches to its own', async () => {
    const h = await OperatorHarness.create(baselineOperator, { minHistory: 200 });
    const a = feedNormal(h, 'vm-a', 400, T0, 'acct-a', 1);
    const { t } = feedNormal(h, 'vm-b', 400, a.t, 'acct-a', 2);
    const sends = h.repartitioned.filter((s) => s.name === 'baseline-account');
    expect(sends.length).toBeGreaterThan(20);
    expect(new Set(sends.map((s) => s.key))).toEqual(new Set(['acct-a']));
    const table = h.broadcastTable('baseline-profiles');
    const acct = table.get('account:acct-a') as ScopeProfileView;
    expect(acct.snapshot.scope).toBe('account');
    expect(acct.snapshot.packets).toBeGreaterThan(600); // published at most once per second of event time
    expect(acct.snapshot.meanSize).toBeGreaterThan(480);
    expect(table.has('vnet:vnet-1')).toBe(true);

    // vm-new talks to peers it has never seen: its first packets are judged by the account profile
    const first = h.process('vm-new', at(t, null, { vmId: 'vm-new', size: 510, dstIp: '192.0.2.1' }))[0].baseline!;
    expect(first.scope).toBe('account');
    expect(first.snapshot.key).toBe('acct-a');
    expect(first.newPeer).toBe(1);
    expect(first.sizeZ).toBeLessThan(1);
    let prev = t;
    const totals: number[] = [first.total];
    let b = first;
    for (let i = 1; i < 250; i++) {
      const tt = t + i * 10 * MS;
      b = h.process('vm-new', at(tt, prev, { vmId: 'vm-new', size: 500, dstIp: `192.0.2.${1 + (i % 40)}` }))[0].baseline!;
      prev = tt;
      if (i < 200) totals.push(b.total);
    }
    // 40 new peers in its first 200 packets: no storm (compare an established VM's scan scores above)
    expect(Math.max(...totals.slice(0, 40))).toBeLessThan(2);
    expect(b.scope).toBe('vm');
    expect(b.vmPackets).toBe(249);
    await h.close();
  });

  it('falls back to the vnet profile when the account scope is not kept', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm', 'vnet'], minHistory: 100 });
    const { t } = feedNormal(h, 'vm-a', 300, T0);
    expect(h.repartitioned.every((s) => s.name === 'baseline-vnet')).toBe(true);
    const b = h.process('vm-new', at(t, null, { vmId: 'vm-new' }))[0].baseline!;
    expect(b.scope).toBe('vnet');
    expect(b.snapshot.key).toBe('vnet-1');
    await h.close();
  });

  it('drops the state of a VM silent for longer than ttl', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'], ttl: '10s' });
    feedNormal(h, 'vm-1', 50, T0);
    h.advanceProcessingTime(5_000 * MS);
    feedNormal(h, 'vm-2', 5, T0);
    expect(h.state<BaselineVmState>('baseline', 'vm-1')!.profile.n).toBe(50);
    h.advanceProcessingTime(12_000 * MS);
    expect(h.state('baseline', 'vm-1')).toBeUndefined();
    expect(h.state<BaselineVmState>('baseline', 'vm-2')!.profile.n).toBe(5);
    const again = h.process('vm-1', at(T0 + 60_000 * MS, null))[0].baseline!;
    expect(again.vmPackets).toBe(0);
    await h.close();
  });
});
