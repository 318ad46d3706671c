/** The generator's config: a zod schema with defaults, so a bad config is refused with its path. */
import { z } from 'zod';
import { SyntheticConfigError } from './synthetic-config-error';

export const ATTACK_KINDS = [
  'port_scan',
  'syn_flood',
  'exfiltration',
  'exfil_known_peer',
  'c2_beacon',
  'c2_beacon_known_peer',
  'lateral_movement',
  'dns_tunnel',
  // Known-peer variants whose peer the VM already uses: peer novelty cannot see them.
  'dns_tunnel_known_peer',
  'flood_known_peer',
] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

/** 2026-01-01T00:00:00Z: a fixed default so that output never depends on the clock. */
export const DEFAULT_START_US = 1_767_225_600_000_000;

export const attackSpecSchema = z
  .object({
    kind: z.enum(ATTACK_KINDS),
    /** The compromised VM; chosen deterministically from the seed when left out. */
    vmId: z.string().min(1).optional(),
    atSec: z.number().min(0),
    durationSec: z.number().positive(),
    /** Kind-specific strength (probes/s, SYN/s, bytes/s, beacons/min, queries/s, connections/s); see attacks/. */
    intensity: z.number().positive().optional(),
  })
  .strict();

export const syntheticConfigSchema = z
  .object({
    seed: z.number().int().default(1),
    vmCount: z.number().int().min(1).max(20000).default(60),
    accounts: z.number().int().min(1).max(256).default(6),
    vnetsPerAccount: z.number().int().min(1).max(256).default(2),
    durationSec: z.number().positive().default(120),
    startUs: z.number().int().min(0).default(DEFAULT_START_US),
    /** Multiplies how often conversations start (1 = about 25 packets/s per VM on average, 60 VMs: ~190k packets in 120 s). */
    rateScale: z.number().positive().max(1000).default(1),
    payloadSampleBytes: z.number().int().min(0).max(65535).default(64),
    attacks: z.array(attackSpecSchema).default([]),
  })
  .strict();

export type AttackSpec = z.infer<typeof attackSpecSchema>;
export type SyntheticConfig = z.infer<typeof syntheticConfigSchema>;
export type SyntheticConfigInput = z.input<typeof syntheticConfigSchema>;

/** Hosts .4 to .254 of each vnet's /24 (Azure-style: .0-.3 reserved, .1 the gateway). */
export const MAX_VMS_PER_VNET = 251;

/** Validates and fills defaults; throws SyntheticConfigError naming the offending path. */
export function parseSyntheticConfig(input: unknown): SyntheticConfig {
  const r = syntheticConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SyntheticConfigError(formatPath(issue.path), issue.message);
  }
  const c = r.data;
  const vnets = c.accounts * c.vnetsPerAccount;
  if (c.vmCount > vnets * MAX_VMS_PER_VNET) {
    throw new SyntheticConfigError('vmCount', `${c.vmCount} VMs do not fit in ${vnets} vnets of ${MAX_VMS_PER_VNET} hosts`);
  }
  c.attacks.forEach((a, i) => {
    if (a.atSec >= c.durationSec) {
      throw new SyntheticConfigError(`attacks[${i}].atSec`, `starts at ${a.atSec} s, after the run ends (${c.durationSec} s)`);
    }
  });
  return c;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** One attack of each kind spread over the run: a ready-made plan for `prescient generate` and demos. */
export function defaultAttackPlan(durationSec: number): AttackSpec[] {
  const slot = durationSec / (ATTACK_KINDS.length + 1);
  const len = Math.max(1, Math.min(20, slot * 0.8));
  return ATTACK_KINDS.map((kind, i) => ({ kind, atSec: Math.round(slot * (i + 0.5) * 1000) / 1000, durationSec: len }));
}
