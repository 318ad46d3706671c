import { createHash } from 'node:crypto';
import type { PacketEvent } from '../../../schemas/types';
import {
  generateEvents,
  parseSyntheticConfig,
  PROFILES,
  SyntheticConfigError,
  SyntheticGenerator,
  SyntheticSource,
} from '../../../sources/synthetic';

const SMALL = { seed: 11, vmCount: 10, accounts: 2, vnetsPerAccount: 1, durationSec: 20 };

function hashEvents(events: PacketEvent[]): string {
  const h = createHash('sha256');
  for (const e of events) {
    h.update(`${e.tsUs}|${e.vmId}|${e.srcIp}:${e.srcPort}>${e.dstIp}:${e.dstPort}|${e.protocol}|${e.size}|${e.tcpFlags}|${e.direction}|${e.payloadLength}|`);
    h.update(e.payload);
  }
  return h.digest('hex');
}

describe('synthetic traffic: determinism and shape', () => {
  const run = generateEvents(SMALL);
  const gen = new SyntheticGenerator(SMALL);

  it('produces the same packets for the same seed and different ones for another seed', () => {
    expect(run.events.length).toBeGreaterThan(1000);
    expect(hashEvents(generateEvents(SMALL).events)).toBe(hashEvents(run.events));
    expect(hashEvents(generateEvents({ ...SMALL, seed: 12 }).events)).not.toBe(hashEvents(run.events));
  });

  it('emits packets in timestamp order, inside the run, as integer microseconds', () => {
    const start = gen.startUs;
    const end = gen.endUs;
    let last = -Infinity;
    const bad: string[] = [];
    for (const e of run.events) {
      if (!Number.isInteger(e.tsUs) || e.tsUs < last) bad.push(`${e.tsUs} after ${last}`);
      last = e.tsUs;
    }
    expect(bad).toEqual([]);
    expect(run.events[0].tsUs).toBeGreaterThanOrEqual(start);
    expect(last).toBeLessThanOrEqual(end);
  });

  it('gives traffic to every profile, each with its signature ports', () => {
    const byProfile = new Map<string, PacketEvent[]>();
    const profileOf = new Map(gen.region.vms.map((v) => [v.id, v.profile]));
    for (const e of run.events) {
      const p = profileOf.get(e.vmId) as string;
      if (!byProfile.has(p)) byProfile.set(p, []);
      byProfile.get(p)?.push(e);
    }
    for (const p of PROFILES) expect(byProfile.get(p)?.length ?? 0).toBeGreaterThan(0);
    const web = byProfile.get('web') ?? [];
    expect(web.some((e) => e.direction === 'INGRESS' && e.dstPort === 443)).toBe(true);
    expect(web.some((e) => e.direction === 'INGRESS' && e.dstPort === 80 && /^(GET|POST) \//.test(e.payload.toString('latin1')))).toBe(true);
    expect(web.some((e) => e.direction === 'EGRESS' && e.dstPort === 5432)).toBe(true);
    const db = byProfile.get('database') ?? [];
    expect(db.some((e) => e.direction === 'EGRESS' && e.srcPort === 5432 && e.payloadLength > 0)).toBe(true);
    const dns = byProfile.get('dns') ?? [];
    expect(dns.some((e) => e.protocol === 17 && e.srcPort === 53)).toBe(true);
    const backup = byProfile.get('backup') ?? [];
    expect(backup.filter((e) => e.direction === 'EGRESS' && e.payloadLength === 1460).length).toBeGreaterThan(100);
    const idle = byProfile.get('idle') ?? [];
    expect(idle.some((e) => e.protocol === 1)).toBe(true);
  });

  it('keeps request/response structure: TCP flows open with SYN, SYN-ACK, ACK', () => {
    const flows = new Map<string, PacketEvent[]>();
    for (const e of run.events) {
      if (e.protocol !== 6) continue;
      const a = `${e.srcIp}:${e.srcPort}`;
      const b = `${e.dstIp}:${e.dstPort}`;
      const key = a < b ? `${a}-${b}` : `${b}-${a}`;
      if (!flows.has(key)) flows.set(key, []);
      flows.get(key)?.push(e);
    }
    let checked = 0;
    for (const pkts of flows.values()) {
      if (pkts.length < 3) continue;
      expect(pkts[0].tcpFlags).toBe(0x02);
      expect(pkts[1].tcpFlags).toBe(0x12);
      expect(pkts[1].srcIp).toBe(pkts[0].dstIp);
      expect(pkts[2].tcpFlags).toBe(0x10);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('repeats peers: web clients and DNS names come back', () => {
    const webVm = gen.region.vms.find((v) => v.profile === 'web');
    const clients = new Map<string, number>();
    for (const e of run.events) if (e.vmId === webVm?.id && e.direction === 'INGRESS' && e.tcpFlags === 0x02) clients.set(e.srcIp, (clients.get(e.srcIp) ?? 0) + 1);
    expect(Math.max(...clients.values())).toBeGreaterThan(1);
    expect(clients.size).toBeLessThanOrEqual(webVm?.peers.clients.length ?? 0);
  });

  it('puts readable names in DNS queries', () => {
    const q = run.events.find((e) => e.protocol === 17 && e.dstPort === 53 && e.payloadLength > 12);
    expect(q).toBeDefined();
    const name = (q as PacketEvent).payload.subarray(13).toString('latin1');
    expect(name).toMatch(/^[a-z-]+/);
  });

  it('honours payloadSampleBytes and keeps payloadLength as the full L4 payload', () => {
    const small = generateEvents({ ...SMALL, durationSec: 5, payloadSampleBytes: 16 });
    const big = small.events.filter((e) => e.payloadLength > 16);
    expect(big.length).toBeGreaterThan(0);
    expect(small.events.filter((e) => e.payload.length !== Math.min(16, e.payloadLength))).toEqual([]);
  });

  it('scales the rate with rateScale', () => {
    const x2 = generateEvents({ ...SMALL, rateScale: 3 });
    expect(x2.events.length).toBeGreaterThan(run.events.length * 1.5);
  });
});

describe('synthetic config', () => {
  it('fills defaults', () => {
    const c = parseSyntheticConfig({});
    expect(c).toMatchObject({ vmCount: 60, accounts: 6, vnetsPerAccount: 2, durationSec: 120, payloadSampleBytes: 64, attacks: [] });
  });

  it('refuses bad values with the path', () => {
    expect(() => parseSyntheticConfig({ vmCount: 0 })).toThrow(SyntheticConfigError);
    expect(() => parseSyntheticConfig({ attacks: [{ kind: 'nope', atSec: 1, durationSec: 1 }] })).toThrow(/attacks\[0\]\.kind/);
    expect(() => parseSyntheticConfig({ durationSec: 10, attacks: [{ kind: 'port_scan', atSec: 11, durationSec: 1 }] })).toThrow(/attacks\[0\]\.atSec/);
    expect(() => new SyntheticGenerator({ ...SMALL, attacks: [{ kind: 'port_scan', vmId: 'vm-nope-1', atSec: 1, durationSec: 1 }] })).toThrow(/attacks\[0\]\.vmId/);
    expect(() => parseSyntheticConfig({ vmCount: 600, accounts: 1, vnetsPerAccount: 2 })).toThrow(/vmCount/);
  });
});

describe('SyntheticSource', () => {
  it('yields ordered batches, counts them, and replays identically', async () => {
    const src = new SyntheticSource({ ...SMALL, durationSec: 5 }, { batchSize: 500 });
    const first: PacketEvent[] = [];
    for await (const b of src.batches()) {
      expect(b.length).toBeLessThanOrEqual(500);
      first.push(...b);
    }
    expect(src.stats()).toEqual({ packets: first.length, skipped: {} });
    const again: PacketEvent[] = [];
    for await (const b of src.batches()) again.push(...b);
    expect(hashEvents(again)).toBe(hashEvents(first));
    expect(src.inventory().length).toBe(2 * SMALL.vmCount);
    expect(src.description).toContain('seed=11');
  });

  it('stops at maxPackets and on close', async () => {
    const src = new SyntheticSource(SMALL, { batchSize: 100, maxPackets: 250 });
    let n = 0;
    for await (const b of src.batches()) n += b.length;
    expect(n).toBe(250);
    const src2 = new SyntheticSource(SMALL, { batchSize: 100 });
    let m = 0;
    for await (const b of src2.batches()) {
      m += b.length;
      await src2.close();
    }
    expect(m).toBe(100);
  });
});
