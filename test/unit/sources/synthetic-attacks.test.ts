import type { PacketEvent } from '../../../schemas/types';
import { attackLabelOf, type AttackSpec, generateEvents, isAttackPacket, SyntheticGenerator } from '../../../sources/synthetic';

const ATTACKS: AttackSpec[] = [
  { kind: 'port_scan', atSec: 2, durationSec: 4 },
  { kind: 'syn_flood', vmId: 'vm-idle-1', atSec: 6, durationSec: 3, intensity: 1000 },
  { kind: 'lateral_movement', atSec: 5, durationSec: 10, intensity: 5 },
  { kind: 'exfiltration', atSec: 10, durationSec: 6 },
  { kind: 'exfil_known_peer', vmId: 'vm-backup-2', atSec: 17, durationSec: 6 },
  { kind: 'c2_beacon', atSec: 24, durationSec: 10, intensity: 30 },
  { kind: 'c2_beacon_known_peer', vmId: 'vm-idle-2', atSec: 24, durationSec: 10, intensity: 30 },
  { kind: 'dns_tunnel', vmId: 'vm-web-1', atSec: 30, durationSec: 8 },
  { kind: 'dns_tunnel', vmId: 'vm-dns-1', atSec: 30, durationSec: 8 },
];
const CONFIG = { seed: 5, vmCount: 10, accounts: 2, vnetsPerAccount: 1, durationSec: 40, attacks: ATTACKS };

describe('synthetic attacks', () => {
  const { events, attack, labels } = generateEvents(CONFIG);
  const gen = new SyntheticGenerator(CONFIG);
  const of = (k: number): PacketEvent[] => events.filter((_, i) => attack[i] === k);
  const normal = events.filter((_, i) => attack[i] < 0);

  it('labels every attack with its VM, window and exact packet count', () => {
    expect(labels.map((l) => l.kind)).toEqual(ATTACKS.map((a) => a.kind));
    labels.forEach((l, k) => {
      const pkts = of(k);
      expect(pkts.length).toBeGreaterThan(0);
      expect(l.packets).toBe(pkts.length);
      expect(l.startUs).toBe(CONFIG.attacks[k].atSec * 1e6 + gen.startUs);
      expect(pkts.filter((e) => e.vmId !== l.vmId || e.tsUs < l.startUs || e.tsUs > l.endUs)).toEqual([]);
      const vm = gen.region.vms.find((v) => v.id === l.vmId);
      expect(vm?.accountId).toBe(l.accountId);
      expect(vm?.vnetId).toBe(l.vnetId);
      if (ATTACKS[k].vmId !== undefined) expect(l.vmId).toBe(ATTACKS[k].vmId);
    });
  });

  it('isAttackPacket agrees with the generator on every packet', () => {
    const wrong: number[] = [];
    events.forEach((e, i) => {
      const l = attackLabelOf(labels, e);
      const expected = attack[i] < 0 ? undefined : labels[attack[i]];
      if (l !== expected || isAttackPacket(labels, e) !== attack[i] >= 0) wrong.push(i);
    });
    expect(wrong).toEqual([]);
  });

  it('chooses the compromised VM deterministically when none is given', () => {
    const again = new SyntheticGenerator(CONFIG).labels;
    expect(again.map((l) => l.vmId)).toEqual(labels.map((l) => l.vmId));
    expect(gen.region.vms.find((v) => v.id === labels[0].vmId)?.profile).toBe('web');
  });

  it('port_scan: SYNs to many ports of one new host, RSTs back', () => {
    const p = of(0);
    const syns = p.filter((e) => e.direction === 'EGRESS' && e.tcpFlags === 0x02);
    expect(new Set(syns.map((e) => e.dstPort)).size).toBeGreaterThan(500);
    expect(new Set(syns.map((e) => e.dstIp))).toEqual(new Set([labels[0].peerIp]));
    expect(new Set(syns.map((e) => e.srcPort)).size).toBe(1);
    expect(p.filter((e) => e.direction === 'INGRESS' && e.tcpFlags === 0x14).length).toBeGreaterThan(syns.length / 2);
    expect(normal.some((e) => e.srcIp === labels[0].peerIp || e.dstIp === labels[0].peerIp)).toBe(false);
  });

  it('syn_flood: SYNs at the asked rate to one target port from many source ports', () => {
    const syns = of(1).filter((e) => e.tcpFlags === 0x02);
    expect(syns.length).toBeGreaterThan(3000 * 0.85);
    expect(syns.length).toBeLessThan(3000 * 1.15);
    expect(new Set(syns.map((e) => `${e.dstIp}:${e.dstPort}`)).size).toBe(1);
    expect(new Set(syns.map((e) => e.srcPort)).size).toBeGreaterThan(500);
  });

  it('lateral_movement: SYNs to SSH/SMB/RDP of the other VMs of the account, no replies', () => {
    const p = of(2);
    const vm = gen.region.vms.find((v) => v.id === labels[2].vmId);
    const account = new Set(gen.region.vms.filter((v) => v.accountId === vm?.accountId && v !== vm).map((v) => v.endpoint.ip));
    expect(p.every((e) => e.direction === 'EGRESS' && e.tcpFlags === 0x02 && [22, 445, 3389].includes(e.dstPort))).toBe(true);
    expect(new Set(p.map((e) => e.dstIp))).toEqual(account);
  });

  it('exfiltration: megabytes of high-entropy payload to a peer normal traffic never uses', () => {
    const out = of(3).filter((e) => e.direction === 'EGRESS');
    const bytes = out.reduce((n, e) => n + e.payloadLength, 0);
    expect(bytes).toBeGreaterThan(3_000_000);
    const big = out.filter((e) => e.payloadLength === 1460);
    expect(big.every((e) => e.dstIp === labels[3].peerIp)).toBe(true);
    expect(Math.min(...big.slice(0, 200).map((e) => entropy(e.payload)))).toBeGreaterThan(5);
    expect(normal.some((e) => e.srcIp === labels[3].peerIp || e.dstIp === labels[3].peerIp)).toBe(false);
    expect(labels[3].knownPeer).toBe(false);
  });

  it('exfil_known_peer: goes to the VM usual peer and port, which normal traffic also uses', () => {
    const l = labels[4];
    expect(l.knownPeer).toBe(true);
    const out = of(4).filter((e) => e.direction === 'EGRESS' && e.payloadLength > 0);
    expect(out.every((e) => e.dstIp === l.peerIp && e.dstPort === 443)).toBe(true);
    expect(normal.some((e) => e.vmId === l.vmId && e.dstIp === l.peerIp && e.dstPort === 443)).toBe(true);
  });

  it('c2 beacons: periodic with low jitter, to a new host or to the usual peer', () => {
    for (const k of [5, 6]) {
      const syns = of(k).filter((e) => e.tcpFlags === 0x02);
      expect(syns.length).toBeGreaterThanOrEqual(4);
      const gaps = syns.slice(1).map((e, i) => e.tsUs - syns[i].tsUs);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
      expect(Math.abs(mean - 2e6)).toBeLessThan(1e5);
      expect(sd / mean).toBeLessThan(0.05);
    }
    expect(labels[6].knownPeer).toBe(true);
    expect(normal.some((e) => e.vmId === labels[6].vmId && e.dstIp === labels[6].peerIp)).toBe(true);
    expect(normal.some((e) => e.dstIp === labels[5].peerIp)).toBe(false);
  });

  it('dns_tunnel: long random names to the VM own resolver; answers only from a resolver outside the region', () => {
    for (const k of [7, 8]) {
      const vm = gen.region.vms.find((v) => v.id === labels[k].vmId);
      const q = of(k).filter((e) => e.direction === 'EGRESS');
      expect(q.length).toBeGreaterThan(30);
      expect(q.every((e) => e.protocol === 17 && e.dstPort === 53 && e.dstIp === vm?.peers.resolver.ip && e.payloadLength > 90)).toBe(true);
      const answers = of(k).filter((e) => e.direction === 'INGRESS');
      expect(answers.length > 0).toBe(vm?.peers.resolver.vm === null);
      expect(normal.some((e) => e.vmId === vm?.id && e.dstIp === vm?.peers.resolver.ip && e.dstPort === 53) || vm?.profile === 'dns').toBe(true);
    }
  });

  it('leaves a run without attacks unlabelled', () => {
    const clean = generateEvents({ ...CONFIG, durationSec: 5, attacks: [] });
    expect(clean.labels).toEqual([]);
    expect(clean.attack.every((a) => a === -1)).toBe(true);
  });
});

function entropy(b: Buffer): number {
  const c = new Array(256).fill(0);
  for (const x of b) c[x]++;
  let h = 0;
  for (const n of c) if (n > 0) h -= (n / b.length) * Math.log2(n / b.length);
  return h;
}
