/**
 * dns-tunnel (operators/dns-tunnel.ts), run through the operator harness: the query-name parser on
 * whole and cut-off names, alerts per VM with window, share and cooldown, and the synthetic region's
 * DNS tunnel found among benign lookups.
 */
import { OperatorHarness } from '../../harness/operator-harness';
import { dnsTunnelOperator, parseDnsQueryName, type DnsQueryName, type DnsTunnelAlert, type DnsTunnelState } from '../../../operators/dns-tunnel';
import { newPacketRecord, type PacketRecord } from '../../../operators/packet-record';
import { dnsQuery, DnsType } from '../../../sources/synthetic/dns-message';
import { SyntheticSource } from '../../../sources/synthetic';
import { prng, rec, T0 } from './make-packet';

const S = 1_000_000;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function b32(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += BASE32[Math.floor(r() * 32)];
  return s;
}

/** A UDP DNS query packet from vm to its resolver, its payload cut to `sample` bytes like a source does. */
function query(vmId: string, tsUs: number, name: string, sample = 64, edns = false): PacketRecord {
  let msg = dnsQuery(0x1234, name, DnsType.TXT);
  if (edns) {
    msg = Buffer.concat([msg, Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0])]);
    msg.writeUInt16BE(1, 10);
  }
  return rec({ vmId, tsUs, protocol: 17, dstPort: 53, srcPort: 40000, tcpFlags: 0, dstIp: '168.63.129.16', payloadLength: msg.length, payload: msg.subarray(0, sample), size: 42 + msg.length });
}

const fresh = (): DnsQueryName => ({ nameLength: 0, longestLabel: 0, visibleChars: 0, entropy: 0, complete: false, offset: 0 });

describe('parseDnsQueryName', () => {
  it('reads a whole name: dotted length, longest label, entropy of its characters', () => {
    const q = fresh();
    const msg = dnsQuery(1, 'ab.ab.cd', DnsType.A); // characters a,b,a,b,c,d: p = (1/3, 1/3, 1/6, 1/6)
    expect(parseDnsQueryName(msg, msg.length, false, q)).toBe(true);
    expect(q.complete).toBe(true);
    expect(q.nameLength).toBe(8);
    expect(q.longestLabel).toBe(2);
    expect(q.visibleChars).toBe(6);
    expect(q.entropy).toBeCloseTo(-(2 * (1 / 3) * Math.log2(1 / 3) + 2 * (1 / 6) * Math.log2(1 / 6)), 12);
    // the shared count tables are clean for the next name
    const aaaa = dnsQuery(1, 'aaaa.aaaa', DnsType.A);
    expect(parseDnsQueryName(aaaa, aaaa.length, false, q)).toBe(true);
    expect(q.entropy).toBe(0);
  });

  it('estimates the length of a name the 64-byte sample cuts off, with and without EDNS, over UDP and TCP', () => {
    const r = prng(3);
    const name = `${b32(r, 60)}.${b32(r, 50)}.${b32(r, 6)}.xyz`;
    for (const edns of [false, true]) {
      const p = query('vm-1', T0, name, 64, edns).packet;
      const q = fresh();
      expect(parseDnsQueryName(p.payload, p.payloadLength, false, q)).toBe(true);
      expect(q.complete).toBe(false);
      expect(q.nameLength).toBe(name.length);
      expect(q.longestLabel).toBe(60);
      expect(q.visibleChars).toBe(64 - 12 - 1);
      expect(q.entropy).toBeGreaterThan(4.2);
    }
    const msg = dnsQuery(9, name, DnsType.TXT);
    const tcp = Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg]);
    const q = fresh();
    expect(parseDnsQueryName(tcp.subarray(0, 64), tcp.length, true, q)).toBe(true);
    expect(q.nameLength).toBe(name.length);
  });

  it('refuses responses, non-standard opcodes and payloads too short for a question', () => {
    const q = fresh();
    const resp = dnsQuery(1, 'example.com', DnsType.A);
    resp[2] |= 0x80;
    expect(parseDnsQueryName(resp, resp.length, false, q)).toBe(false);
    const notify = dnsQuery(1, 'example.com', DnsType.A);
    notify[2] = 0x20; // opcode 4
    expect(parseDnsQueryName(notify, notify.length, false, q)).toBe(false);
    expect(parseDnsQueryName(Buffer.alloc(10), 10, false, q)).toBe(false);
  });
});

describe('dns-tunnel operator', () => {
  it('alerts once for a VM sending many long random names, and passes every record through unchanged', async () => {
    const h = await OperatorHarness.create(dnsTunnelOperator, { minQueries: 20 });
    const r = prng(11);
    let t = T0;
    for (let i = 0; i < 40; i++) {
      const input = query('vm-1', (t += 100_000), `${b32(r, 50)}.${b32(r, 45)}.tunnel.xyz`);
      const out = h.process('vm-1', input);
      expect(out).toEqual([input]);
      expect(out[0]).toBe(input);
    }
    const alerts = h.sideOutput('dns-tunnel');
    expect(alerts).toHaveLength(1);
    const a = alerts[0].value as DnsTunnelAlert;
    expect(alerts[0].key).toBe('vm-1');
    expect(a.vmId).toBe('vm-1');
    expect(a.suspicious).toBe(20);
    expect(a.queries).toBe(20);
    expect(a.tsUs).toBe(T0 + 20 * 100_000);
    expect(a.meanNameLength).toBe(50 + 45 + 'tunnel.xyz'.length + 2);
    expect(a.meanEntropy).toBeGreaterThan(4.2);
    expect(a.resolver).toBe('168.63.129.16');
    expect(a.sampleName.endsWith('...')).toBe(true);
    expect(h.state<DnsTunnelState>('dns', 'vm-1')!.queries).toBe(40);
    await h.close();
  });

  it('does not alert on ordinary lookups, nor on a few long names among many ordinary ones', async () => {
    const h = await OperatorHarness.create(dnsTunnelOperator, { minQueries: 20, minShare: 0.5 });
    const r = prng(5);
    const words = ['mail', 'static', 'portal', 'cdn-edge', 'login', 'update', 'assets', 'images'];
    let t = T0;
    for (let i = 0; i < 300; i++) {
      const w = (): string => words[Math.floor(r() * words.length)];
      h.process('vm-2', query('vm-2', (t += 10_000), `${w()}.${w()}-${w()}.com`));
      // vm-3: 25 CDN-like random names, but among 75 ordinary lookups per window
      h.process('vm-3', query('vm-3', (t += 10_000), i % 4 === 0 ? `${b32(r, 40)}.${b32(r, 20)}.cloudfront.net` : `${w()}.${w()}.org`));
    }
    expect(h.sideOutput('dns-tunnel')).toEqual([]);
    expect(h.state<DnsTunnelState>('dns', 'vm-3')!.suspicious).toBeGreaterThan(20);
    // non-DNS traffic keeps no state at all
    h.process('vm-4', rec({ vmId: 'vm-4', tsUs: t + 1, dstPort: 443 }));
    expect(h.state('dns', 'vm-4')).toBeUndefined();
    await h.close();
  });

  it('keeps quiet during the cooldown and alerts again in a later window', async () => {
    const h = await OperatorHarness.create(dnsTunnelOperator, { minQueries: 10, window: '10s', cooldown: '30s' });
    const r = prng(9);
    let t = T0;
    // one query every 0.5 s for 60 s: windows of 10 s hold 20 queries each
    for (let i = 0; i < 120; i++) h.process('vm-1', query('vm-1', (t += S / 2), `${b32(r, 55)}.${b32(r, 30)}.xyz`));
    const times = h.sideOutput('dns-tunnel').map((e) => ((e.value as DnsTunnelAlert).tsUs - T0) / S);
    // First alert at the 10th query (5 s). Windows start at 0.5, 10.5, 20.5, 30.5 s: the 10th query of the
    // windows at 10.5 and 20.5 s falls in the cooldown (until 35 s), that of the window at 30.5 s at 35 s.
    expect(times).toEqual([5, 35]);
    await h.close();
  });

  it('finds the synthetic region\'s DNS tunnel with a 64-byte payload sample and no benign VM', async () => {
    const src = new SyntheticSource({ seed: 7, vmCount: 24, durationSec: 60, attacks: [{ kind: 'dns_tunnel', atSec: 20, durationSec: 40 }] });
    const tunnel = src.labels()[0];
    const h = await OperatorHarness.create(dnsTunnelOperator, {});
    for await (const batch of src.batches()) for (const p of batch) h.process(p.vmId, newPacketRecord(p));
    const alerts = h.sideOutput('dns-tunnel').map((e) => e.value as DnsTunnelAlert);
    expect(alerts.map((a) => a.vmId)).toEqual([tunnel.vmId]);
    expect(alerts[0].tsUs).toBeGreaterThanOrEqual(tunnel.startUs);
    expect(alerts[0].tsUs - tunnel.startUs).toBeLessThan(10 * S);
    await h.close();
  });
});
