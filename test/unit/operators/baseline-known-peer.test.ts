import { OperatorHarness } from '../../harness/operator-harness';
import { baselineOperator, type BaselineVmState } from '../../../operators/baseline';
import type { PacketRecord } from '../../../operators/packet-record';
import type { PacketEvent } from '../../../schemas/types';
import { dnsQuery, DnsType } from '../../../sources/synthetic/dns-message';
import { rec, T0, prng } from './make-packet';

const MS = 1000;
const RESOLVER = '10.0.0.2';
type H = OperatorHarness<PacketRecord, PacketRecord>;
type Dev = NonNullable<PacketRecord['baseline']>;

/** A VM's clock and packet feed: every packet is sent at `t`, with the inter-arrival `window` would set. */
function vmFeed(h: H) {
  let prev: number | null = null;
  const f = {
    t: T0,
    send(over: Partial<PacketEvent>): Dev {
      const r = rec({ tsUs: f.t, ...over });
      r.iatUs = prev === null ? 0 : f.t - prev;
      prev = f.t;
      return h.process('vm-1', r)[0].baseline!;
    },
  };
  return f;
}

function dnsPacket(name: string): Partial<PacketEvent> {
  const q = dnsQuery(7, name, DnsType.A);
  // The capture keeps a 64-byte sample, as the synthetic source does.
  return { protocol: 17, dstIp: RESOLVER, dstPort: 53, srcPort: 50000, tcpFlags: 0, size: 42 + q.length, payloadLength: q.length, payload: q.subarray(0, 64) };
}

/**
 * 200 s of ordinary traffic: every 100 ms a 500-byte request to one of 5 known peers on 443, a new
 * connection (SYN) to one of them every ~2 s at random, and a short DNS query every ~5 s.
 */
function warmUp(h: H, seed = 1) {
  const f = vmFeed(h);
  const r = prng(seed);
  for (let i = 0; i < 2000; i++) {
    const peer = `203.0.113.${1 + (i % 5)}`;
    f.send({ dstIp: peer, size: 450 + Math.round(100 * r()), tcpFlags: r() < 0.05 ? 0x02 : 0x18 });
    if (r() < 0.02) f.send(dnsPacket(['www.example.com', 'api.example.org', 'cdn.example.net'][i % 3]));
    f.t += 100 * MS;
  }
  return f;
}

describe('baseline: what a VM does with a peer it already uses', () => {
  it('busyZ: a sustained upload to one known peer, not the same bytes spread over its peers', async () => {
    const run = async (oneBurst: boolean) => {
      const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
      const f = warmUp(h);
      let maxZ = 0;
      // 40 s at ~90 kB/s: 1500-byte packets every 16 ms, to one peer or round-robin over the five.
      for (let i = 0; i < 2500; i++) {
        const b = f.send({ dstIp: oneBurst ? '203.0.113.2' : `203.0.113.${1 + (i % 5)}`, size: 1500 });
        maxZ = Math.max(maxZ, b.busyZ ?? 0);
        f.t += 16 * MS;
      }
      await h.close();
      return maxZ;
    };
    const burst = await run(true);
    const spread = await run(false);
    expect(burst).toBeGreaterThan(4);
    expect(spread).toBeLessThan(1);
  });

  it('beatZ: periodic connections to a known peer, not jittered ones', async () => {
    const run = async (periodic: boolean) => {
      const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
      const f = warmUp(h);
      const r = prng(5);
      let maxZ = 0;
      // 12 connections to a known peer, every 5 s (+-2 %) or every 2.5-7.5 s, amid ordinary traffic.
      for (let c = 0; c < 12; c++) {
        const gap = periodic ? 5000 * (0.98 + 0.04 * r()) : 5000 * (0.5 + r());
        const end = f.t + gap * MS;
        for (; f.t < end; f.t += 250 * MS) f.send({ dstIp: `203.0.113.${1 + c % 3}`, size: 500 });
        maxZ = Math.max(maxZ, f.send({ dstIp: '203.0.113.4', tcpFlags: 0x02, size: 60 }).beatZ ?? 0);
      }
      await h.close();
      return maxZ;
    };
    const periodic = await run(true);
    const jittered = await run(false);
    expect(periodic).toBeGreaterThan(4);
    expect(jittered).toBeLessThan(1);
  });

  it('qnameZ: long random query names to the own resolver, not long low-entropy or ordinary ones', async () => {
    const b32 = 'abcdefghijklmnopqrstuvwxyz234567';
    const run = async (kind: 'random' | 'repetitive' | 'ordinary') => {
      const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
      const f = warmUp(h);
      const r = prng(11);
      const zs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const label = (c: () => string) => Array.from({ length: 50 }, c).join('');
        const name = kind === 'random'
          ? `${label(() => b32[Math.floor(r() * 32)])}.${label(() => b32[Math.floor(r() * 32)])}.t.example.xyz`
          : kind === 'repetitive' ? `${label(() => 'a')}.${label(() => 'a')}.t.example.xyz` : 'www.example.com';
        zs.push(f.send(dnsPacket(name)).qnameZ ?? 0);
        f.t += 500 * MS;
      }
      const st = h.state<BaselineVmState>('baseline', 'vm-1')!;
      await h.close();
      return { min: Math.min(...zs), max: Math.max(...zs), level: st.qnameLevel };
    };
    const random = await run('random');
    const repetitive = await run('repetitive');
    const ordinary = await run('ordinary');
    // Every one of a tunnel's 20 queries stands out: the profile does not learn them in seconds.
    expect(random.min).toBeGreaterThan(3);
    expect(repetitive.max).toBeLessThan(1);
    expect(ordinary.max).toBeLessThan(1);
    expect(random.level).toBeGreaterThan(ordinary.level);
  });

  it('upgrades a VM state checkpointed before the per-peer activity', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    const f = warmUp(h);
    const st = h.state<BaselineVmState>('baseline', 'vm-1')!;
    const old = st as Partial<BaselineVmState>;
    delete old.peerActivity;
    delete old.qnameLevel;
    st.profile.mom.length = 33;
    st.pending.sums.length = 33;
    const b = f.send({ dstIp: '203.0.113.1', tcpFlags: 0x02 });
    expect(Number.isFinite(b.total)).toBe(true);
    expect(b.busyZ).toBe(0);
    const after = h.state<BaselineVmState>('baseline', 'vm-1')!;
    expect(after.peerActivity.busy).toHaveLength(after.peers.cap);
    expect(Number.isNaN(after.qnameLevel)).toBe(true);
    await h.close();
  });
});

describe('baseline: the services a VM is a client of', () => {
  it('outPortSurprise: flows the VM opens to a class it never calls, both ways; not its usual class, not its own service', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'] });
    const f = warmUp(h);
    // A client of port 80 on a peer it knows well: the request and the reply.
    const syn = f.send({ dstIp: '203.0.113.2', srcPort: 41000, dstPort: 80, tcpFlags: 0x02, size: 74 });
    f.t += 1 * MS;
    const reply = f.send({ direction: 'INGRESS', srcIp: '203.0.113.2', dstIp: '10.0.0.5', srcPort: 80, dstPort: 41000, tcpFlags: 0x12, size: 74 });
    f.t += 1 * MS;
    // Its usual class (443), and a client reaching the VM's own port 80 (a server's traffic, not a client's).
    const usual = f.send({ dstIp: '203.0.113.3', srcPort: 41001, dstPort: 443, tcpFlags: 0x02, size: 74 });
    f.t += 1 * MS;
    const served = f.send({ direction: 'INGRESS', srcIp: '198.51.100.7', dstIp: '10.0.0.5', srcPort: 51000, dstPort: 80, tcpFlags: 0x02, size: 74 });
    expect(syn.outPortSurprise).toBeGreaterThan(8);
    expect(reply.outPortSurprise).toBeGreaterThan(8);
    expect(syn.total).toBeGreaterThan(usual.total + 8);
    expect(usual.outPortSurprise).toBeLessThan(0.5);
    expect(served.outPortSurprise).toBe(0);
    await h.close();
  });

  it('outPortSurprise waits until the VM has been watched for clientClassAfter', async () => {
    const h = await OperatorHarness.create(baselineOperator, { scopes: ['vm'], clientClassAfter: '5m' });
    const f = warmUp(h); // 200 s: its periodic jobs may not all have shown yet
    const early = f.send({ dstIp: '203.0.113.2', srcPort: 41000, dstPort: 80, tcpFlags: 0x02, size: 74 });
    expect(early.outPortSurprise).toBe(0);
    await h.close();
  });
});
