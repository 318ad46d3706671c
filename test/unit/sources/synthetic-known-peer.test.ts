import { generateEvents, KNOWN_PEER_ATTACK_KINDS, type AttackSpec } from '../../../sources/synthetic';

const ATTACKS: AttackSpec[] = [
  { kind: 'dns_tunnel_known_peer', vmId: 'vm-web-1', atSec: 10, durationSec: 10 },
  { kind: 'flood_known_peer', vmId: 'vm-web-2', atSec: 10, durationSec: 5 },
];
const CONFIG = { seed: 5, vmCount: 10, accounts: 2, vnetsPerAccount: 1, durationSec: 30, attacks: ATTACKS };

describe('synthetic known-peer attacks', () => {
  const { events, attack, labels } = generateEvents(CONFIG);
  const of = (k: number) => events.filter((_, i) => attack[i] === k);
  const normal = events.filter((_, i) => attack[i] < 0);

  it('marks every known-peer kind, and only those, knownPeer', () => {
    expect(labels.map((l) => l.knownPeer)).toEqual([true, true]);
    expect([...KNOWN_PEER_ATTACK_KINDS].sort()).toEqual(['c2_beacon_known_peer', 'dns_tunnel_known_peer', 'exfil_known_peer', 'flood_known_peer']);
  });

  it('dns_tunnel_known_peer: a slow tunnel (~2 queries/s) through the resolver the VM already queries', () => {
    const l = labels[0];
    const queries = of(0).filter((e) => e.direction === 'EGRESS');
    expect(queries.length).toBeGreaterThan(10);
    expect(queries.length).toBeLessThan(40);
    expect(queries.every((e) => e.dstIp === l.peerIp && e.dstPort === 53 && e.payloadLength > 100)).toBe(true);
    expect(normal.some((e) => e.vmId === l.vmId && e.dstIp === l.peerIp && e.dstPort === 53)).toBe(true);
  });

  it('flood_known_peer: TLS connection after connection to the usual peer and port the VM already uses', () => {
    const l = labels[1];
    const syns = of(1).filter((e) => e.direction === 'EGRESS' && e.tcpFlags === 0x02);
    expect(syns.length).toBeGreaterThan(50);
    expect(syns.every((e) => e.dstIp === l.peerIp && e.dstPort === 443)).toBe(true);
    expect(of(1).some((e) => e.direction === 'INGRESS' && e.payloadLength > 0)).toBe(true);
    expect(normal.some((e) => e.vmId === l.vmId && e.dstIp === l.peerIp && e.dstPort === 443)).toBe(true);
  });
});
