/**
 * Ground truth for attacks: one label per attack (labels.jsonl), and the exact per-packet test.
 * Every attack packet crosses the compromised VM's vNIC on a VM-side port from the attack's
 * reserved block, which normal traffic never uses: so VM + time window + port decides exactly.
 */
import { z } from 'zod';
import type { PacketEvent } from '../../schemas/types';
import { ATTACK_KINDS, type AttackKind } from './config';
import { SyntheticConfigError } from './synthetic-config-error';

export interface AttackLabel {
  id: string;
  kind: AttackKind;
  vmId: string;
  accountId: string;
  vnetId: string;
  /** Window of the attack, microseconds; all its packets lie inside, both ends included. */
  startUs: number;
  endUs: number;
  /** Packets the attack put on the VM's vNIC (its egress, and replies to it). */
  packets: number;
  knownPeer: boolean;
  /** The attack's peer (target, C2 host, resolver), or null when it has many (lateral movement). */
  peerIp: string | null;
  /** The VM-side ports reserved for the attack, inclusive. */
  localPorts: [number, number];
  /**
   * Optional, for attacks mixed in from a real capture (`prescient mix`), whose ports are the real
   * tool's: when present, the attack's packets are the VM's packets inside the window whose peer
   * (dst for egress, src for ingress) is one of these addresses, and `localPorts` only informs.
   */
  peerIps?: string[];
  /** Optional: the capture file the attack's packets came from. */
  capture?: string;
}

const peerSets = new WeakMap<AttackLabel, Set<string>>();

function peerSetOf(l: AttackLabel & { peerIps: string[] }): Set<string> {
  let s = peerSets.get(l);
  if (s === undefined) {
    s = new Set(l.peerIps);
    peerSets.set(l, s);
  }
  return s;
}

/** The label of the attack `event` belongs to, or undefined for normal traffic. */
export function attackLabelOf(labels: readonly AttackLabel[], event: PacketEvent): AttackLabel | undefined {
  const local = event.direction === 'INGRESS' ? event.dstPort : event.srcPort;
  for (const l of labels) {
    if (l.vmId !== event.vmId || event.tsUs < l.startUs || event.tsUs > l.endUs) continue;
    if (l.peerIps !== undefined) {
      if (peerSetOf(l as AttackLabel & { peerIps: string[] }).has(event.direction === 'INGRESS' ? event.srcIp : event.dstIp)) return l;
    } else if (local >= l.localPorts[0] && local <= l.localPorts[1]) return l;
  }
  return undefined;
}

export function isAttackPacket(labels: readonly AttackLabel[], event: PacketEvent): boolean {
  return attackLabelOf(labels, event) !== undefined;
}

export function labelsToJsonl(labels: readonly AttackLabel[]): string {
  return labels.map((l) => `${JSON.stringify(l)}\n`).join('');
}

const labelSchema = z.object({
  id: z.string(),
  kind: z.enum(ATTACK_KINDS),
  vmId: z.string(),
  accountId: z.string(),
  vnetId: z.string(),
  startUs: z.number(),
  endUs: z.number(),
  packets: z.number().int().min(0),
  knownPeer: z.boolean(),
  peerIp: z.string().nullable(),
  localPorts: z.tuple([z.number().int(), z.number().int()]),
  peerIps: z.array(z.string()).optional(),
  capture: z.string().optional(),
});

/** Reads labels.jsonl back; `file` only names the source in errors. */
export function parseLabelsJsonl(text: string, file = 'labels.jsonl'): AttackLabel[] {
  const out: AttackLabel[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim().length === 0) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new SyntheticConfigError(`${file}:${i + 1}`, `not JSON: ${(e as Error).message}`);
    }
    const r = labelSchema.safeParse(json);
    if (!r.success) throw new SyntheticConfigError(`${file}:${i + 1}.${r.error.issues[0].path.join('.')}`, r.error.issues[0].message);
    out.push(r.data);
  });
  return out;
}
