/**
 * Resolves each configured attack before generation starts: the compromised VM (chosen from the
 * seed when not given), its reserved port block, its target, and its time window.
 */
import type { AttackKind, AttackSpec, SyntheticConfig } from '../config';
import type { Endpoint } from '../endpoint';
import { ATTACK_BLOCK_PORTS } from '../port-allocator';
import { mixSeed, Prng } from '../prng';
import type { Region } from '../region';
import { SyntheticConfigError } from '../synthetic-config-error';
import type { Profile, VmInfo } from '../vm-info';

export interface AttackSetup {
  index: number;
  id: string;
  kind: AttackKind;
  spec: AttackSpec;
  vm: VmInfo;
  /** Whether the attack talks to a peer the VM already talks to (the stealthy variants). */
  knownPeer: boolean;
  /** The peer, when the attack has one (not for lateral movement, which has many). */
  target: Endpoint | null;
  targetPort: number;
  /** First of the ATTACK_BLOCK_PORTS ephemeral ports only this attack uses on the VM. */
  portLo: number;
  portHi: number;
  startUs: number;
  endUs: number;
  /** Stream seed of the attack's slot. */
  seed: number;
}

/** Which profiles suit each attack, most plausible first. */
const PREFERRED: Record<AttackKind, Profile[]> = {
  port_scan: ['web', 'idle', 'database'],
  syn_flood: ['web', 'idle', 'backup'],
  exfiltration: ['database', 'web', 'backup'],
  exfil_known_peer: ['backup', 'database', 'web'],
  c2_beacon: ['idle', 'web', 'database'],
  c2_beacon_known_peer: ['idle', 'database', 'web'],
  lateral_movement: ['web', 'idle', 'database'],
  dns_tunnel: ['web', 'database', 'idle'],
  dns_tunnel_known_peer: ['database', 'web', 'idle'],
  flood_known_peer: ['web', 'database', 'backup'],
};

/** Kinds that talk only to a peer the VM already uses (its usual server, its own resolver). */
export const KNOWN_PEER_ATTACK_KINDS: readonly AttackKind[] = ['exfil_known_peer', 'c2_beacon_known_peer', 'dns_tunnel_known_peer', 'flood_known_peer'];

export function setupAttacks(config: SyntheticConfig, region: Region): AttackSetup[] {
  const prng = new Prng(mixSeed(config.seed, 0xa77ac));
  const used = new Set<VmInfo>();
  const runEnd = config.startUs + Math.round(config.durationSec * 1e6);
  return config.attacks.map((spec, index) => {
    const path = `attacks[${index}]`;
    const vm = spec.vmId !== undefined ? findVm(region, spec.vmId, path) : chooseVm(region, spec.kind, used, prng);
    used.add(vm);
    const knownPeer = KNOWN_PEER_ATTACK_KINDS.includes(spec.kind);
    let target: Endpoint | null = null;
    let targetPort = 0;
    if (spec.kind === 'dns_tunnel' || spec.kind === 'dns_tunnel_known_peer') {
      target = vm.peers.resolver;
      targetPort = 53;
    } else if (knownPeer) {
      target = vm.peers.usual;
      targetPort = vm.peers.usualPort;
    } else if (spec.kind !== 'lateral_movement') {
      target = region.externals.next(10_000, 120_000);
      targetPort = spec.kind === 'syn_flood' ? (prng.chance(0.5) ? 80 : 443) : spec.kind === 'port_scan' ? 0 : 443;
    }
    const portLo = vm.ports.reserveBlock(prng, `${path}.vmId`);
    return {
      index,
      id: `attack-${index + 1}`,
      kind: spec.kind,
      spec,
      vm,
      knownPeer,
      target,
      targetPort,
      portLo,
      portHi: portLo + ATTACK_BLOCK_PORTS - 1,
      startUs: config.startUs + Math.round(spec.atSec * 1e6),
      endUs: Math.min(runEnd, config.startUs + Math.round((spec.atSec + spec.durationSec) * 1e6)),
      seed: mixSeed(config.seed, 0x100000 + index),
    };
  });
}

function findVm(region: Region, id: string, path: string): VmInfo {
  const vm = region.vms.find((v) => v.id === id);
  if (vm === undefined) throw new SyntheticConfigError(`${path}.vmId`, `no VM named ${id} (ids look like ${region.vms[0].id})`);
  return vm;
}

function chooseVm(region: Region, kind: AttackKind, used: Set<VmInfo>, prng: Prng): VmInfo {
  for (const fresh of [true, false]) {
    for (const profile of PREFERRED[kind]) {
      const c = region.vms.filter((v) => v.profile === profile && (!fresh || !used.has(v)));
      if (c.length > 0) return c[prng.int(c.length)];
    }
  }
  const c = region.vms.filter((v) => !used.has(v));
  return c.length > 0 ? c[prng.int(c.length)] : region.vms[prng.int(region.vms.length)];
}
