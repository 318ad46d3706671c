/**
 * labels.jsonl for a lab run, in the project's format (sources/synthetic/labels.ts): one label per
 * scheduled attack, its window the attack's measured start and end, its peers the targets'
 * addresses (the real tools pick their own ports, so `peerIps` decides, as for mixed captures),
 * and its packet count taken from the capture itself.
 */
import { readFileSync } from 'node:fs';
import { attackLabelOf, type AttackLabel } from '../sources/synthetic/labels';
import { PcapSource } from '../sources/pcap-source';
import { LabError } from './lab-error';
import type { LabAttack, LabAttackKind } from './lab-schedule';

/** lab.sh's default targets per attack kind (keep in step with `cmd_attack`). */
export const DEFAULT_TARGETS: Record<LabAttackKind, string[]> = {
  syn_flood: ['web'],
  port_scan: ['web', 'store', 'idle'],
  exfiltration: ['drop'],
  c2_beacon: ['drop'],
  dns_tunnel_known_peer: ['dns'],
  exfil_known_peer: ['store'],
  c2_beacon_known_peer: ['web'],
  flood_known_peer: ['web'],
};

/**
 * Source ports lab.sh binds each known-peer attack's client to (keep in step with `cmd_attack`).
 * Below the kernel's ephemeral range (32768-60999), where the VM's benign clients to the same peer
 * never are, so the label picks out exactly the attack's packets, as the generator's reserved blocks do.
 */
export const KNOWN_PEER_PORTS: Readonly<Record<string, [number, number]>> = {
  dns_tunnel_known_peer: [20000, 20999],
  exfil_known_peer: [21000, 21999],
  c2_beacon_known_peer: [22000, 22999],
  flood_known_peer: [23000, 29999],
};

/** Replies to the last attack packets arrive a little after the tool exits. */
const TAIL_US = 1_000_000;

export interface AttackRun {
  attack: LabAttack;
  startMs: number;
  endMs: number;
}

export interface LabVm {
  name: string;
  vmId: string;
  accountId: string;
  vnetId: string;
  ip: string;
}

/** The lab VMs from the inventory lab.sh wrote (vmId lab-<name>). */
export function readLabVms(inventoryPath: string): Map<string, LabVm> {
  const vms = new Map<string, LabVm>();
  for (const line of readFileSync(inventoryPath, 'utf8').split('\n').slice(1)) {
    const [kind, value, vmId, accountId, vnetId] = line.split(',');
    if (kind !== 'ip' || !vmId?.startsWith('lab-')) continue;
    vms.set(vmId.slice(4), { name: vmId.slice(4), vmId, accountId, vnetId, ip: value });
  }
  return vms;
}

export function labelsFromRuns(runs: readonly AttackRun[], vms: Map<string, LabVm>): AttackLabel[] {
  return runs.map((r, i) => {
    const a = r.attack;
    const vm = vms.get(a.vm);
    if (vm === undefined) throw new LabError(`attacks.${i}.vm`, `'${a.vm}' is not a lab VM`);
    const peers = (a.targets ?? DEFAULT_TARGETS[a.kind]).map((t) => {
      const v = vms.get(t);
      if (v === undefined) throw new LabError(`attacks.${i}.targets`, `'${t}' is not a lab VM`);
      return v.ip;
    });
    const ports = KNOWN_PEER_PORTS[a.kind];
    const base = {
      id: `lab-${i + 1}-${a.kind}`,
      kind: a.kind,
      vmId: vm.vmId,
      accountId: vm.accountId,
      vnetId: vm.vnetId,
      startUs: r.startMs * 1000,
      endUs: r.endMs * 1000 + TAIL_US,
      packets: 0,
      peerIp: peers.length === 1 ? peers[0] : null,
      capture: 'capture.pcap',
    };
    // Known-peer attacks share their peer with the VM's benign traffic: the reserved ports decide.
    if (ports !== undefined) return { ...base, knownPeer: true, localPorts: [ports[0], ports[1]] as [number, number] };
    return { ...base, knownPeer: false, localPorts: [0, 65535] as [number, number], peerIps: peers };
  });
}

/** Fills each label's `packets` from the capture: the packets `attackLabelOf` assigns to it. */
export async function countLabelPackets(labels: AttackLabel[], capturePath: string, inventoryPath: string): Promise<number> {
  const counts = new Map<AttackLabel, number>();
  let total = 0;
  const src = new PcapSource({ path: capturePath, inventory: inventoryPath });
  for await (const batch of src.batches()) {
    total += batch.length;
    for (const ev of batch) {
      const l = attackLabelOf(labels, ev);
      if (l !== undefined) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
  }
  for (const l of labels) l.packets = counts.get(l) ?? 0;
  return total;
}
