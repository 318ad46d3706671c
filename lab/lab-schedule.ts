/**
 * The lab schedule: how long the lab runs with benign traffic, and when each attack starts and
 * stops, by which VM against which lab VMs. Labels are written from it (lab-labels.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LabError } from './lab-error';

export const LAB_ATTACK_KINDS = ['syn_flood', 'port_scan', 'exfiltration', 'c2_beacon'] as const;
export type LabAttackKind = (typeof LAB_ATTACK_KINDS)[number];

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
  });
  return r.data;
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
