/**
 * The lab schedule: how long the lab runs with benign traffic, and when each attack starts and
 * stops, by which VM against which lab VMs. Labels are written from it (lab-labels.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LabError } from './lab-error';

export const LAB_ATTACK_KINDS = [
  'syn_flood', 'port_scan', 'exfiltration', 'c2_beacon',
  'dns_tunnel_known_peer', 'exfil_known_peer', 'c2_beacon_known_peer', 'flood_known_peer',
] as const;
export type LabAttackKind = (typeof LAB_ATTACK_KINDS)[number];

/** Kinds that talk only to a peer the attacking VM already uses (same names as the generator's). */
export const LAB_KNOWN_PEER_KINDS: readonly LabAttackKind[] = ['dns_tunnel_known_peer', 'exfil_known_peer', 'c2_beacon_known_peer', 'flood_known_peer'];

/**
 * The peers each VM's benign traffic uses (keep in step with lab.sh `cmd_benign`): a known-peer
 * attack must come from a VM that already talks to its target, or it is not a known-peer attack.
 */
export const LAB_BENIGN_PEERS: Readonly<Record<string, readonly string[]>> = {
  c1: ['web', 'dns'],
  c2: ['web', 'dns', 'store'],
  atk: ['dns'],
};

const vmName = z.string().regex(/^[a-z][a-z0-9]{0,9}$/, 'a lab VM name (see deploy/lab/lab-vms.sh)');

export const labAttackSchema = z
  .object({
    kind: z.enum(LAB_ATTACK_KINDS),
    /** The attacking lab VM (default `atk`). */
    vm: vmName.default('atk'),
    atSec: z.number().min(0),
    durationSec: z.number().positive().max(600),
    /** Target lab VMs; default per kind (lab.sh attack). */
    targets: z.array(vmName).optional(),
  })
  .strict();

export const labScheduleSchema = z
  .object({
    durationSec: z.number().positive().max(3600),
    /** Benign clients (HTTP, DNS, bulk copy) for the whole run. */
    benign: z.boolean().default(true),
    attacks: z.array(labAttackSchema).default([]),
  })
  .strict();

export type LabAttack = z.infer<typeof labAttackSchema>;
export type LabSchedule = z.infer<typeof labScheduleSchema>;

/** Validates a schedule; `file` names it in errors, with the path inside it. */
export function parseLabSchedule(input: unknown, file = 'schedule'): LabSchedule {
  const r = labScheduleSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new LabError(`${file}: ${i.path.join('.') || '(top)'}`, i.message);
  }
  r.data.attacks.forEach((a, k) => {
    if (a.atSec + a.durationSec > r.data.durationSec) {
      throw new LabError(`${file}: attacks.${k}`, `ends at ${a.atSec + a.durationSec}s, after the lab's durationSec ${r.data.durationSec}`);
    }
    if (LAB_KNOWN_PEER_KINDS.includes(a.kind)) checkKnownPeer(a, r.data.benign, `${file}: attacks.${k}`);
  });
  return r.data;
}

/** lab.sh's target for a known-peer kind when the schedule names none (keep in step with `cmd_attack`). */
export const KNOWN_PEER_DEFAULT_TARGET: Readonly<Record<string, string>> = {
  dns_tunnel_known_peer: 'dns',
  exfil_known_peer: 'store',
  c2_beacon_known_peer: 'web',
  flood_known_peer: 'web',
};

function checkKnownPeer(a: LabAttack, benign: boolean, where: string): void {
  if (!benign) throw new LabError(where, `${a.kind} needs benign traffic (its peer is only "known" from it); set "benign": true`);
  const targets = a.targets ?? [KNOWN_PEER_DEFAULT_TARGET[a.kind]];
  const service = KNOWN_PEER_DEFAULT_TARGET[a.kind];
  if (targets.length !== 1 || targets[0] !== service) {
    throw new LabError(`${where}.targets`, `${a.kind} uses the lab's one service for it, on '${service}'; got [${targets.join(', ')}]`);
  }
  const peers = LAB_BENIGN_PEERS[a.vm] ?? [];
  if (!peers.includes(targets[0])) {
    throw new LabError(`${where}.vm`, `'${a.vm}' never talks to '${targets[0]}' in benign traffic, so ${a.kind} from it is not a known-peer attack (VMs that do: ${Object.keys(LAB_BENIGN_PEERS).filter((v) => LAB_BENIGN_PEERS[v].includes(targets[0])).join(', ') || 'none'})`);
  }
}

export function loadLabSchedule(path: string): LabSchedule {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new LabError(path, `not a readable JSON schedule: ${(e as Error).message}`);
  }
  return parseLabSchedule(json, path);
}
