/** The mitigation policy: zod schema of the YAML file and the validated shape the operator uses. */
import { z } from 'zod';
import type { MitigationAction } from '../../schemas/types';
import { durationUs, positiveDurationUs } from '../config/duration';
import { looksLikeIp, parseIpNet } from './ip-match';

/** Actions a tier may take (NONE is the absence of a tier). */
export const TIER_ACTIONS = ['ALERT', 'RATE_LIMIT', 'DROP', 'SCRUB', 'ISOLATE'] as const;

/** Severity order: escalation goes up this list, de-escalation down. */
export const ACTION_RANK: Record<MitigationAction, number> = { NONE: 0, ALERT: 1, RATE_LIMIT: 2, SCRUB: 3, DROP: 4, ISOLATE: 5 };

/** Bound of any minAnomalies: the per-VM ring of anomaly times has at most this many slots. */
export const MAX_MIN_ANOMALIES = 256;

const tierSchema = z
  .object({
    /** Score ratio (score / threshold) at or above which this tier applies. */
    above: z.number().positive(),
    action: z.enum(TIER_ACTIONS),
    rateKbps: z.number().positive().optional(),
    /** Anomalies needed within `window` for this tier (default: the policy's minAnomalies past ALERT). */
    minAnomalies: z.number().int().min(1).max(MAX_MIN_ANOMALIES).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.action === 'RATE_LIMIT' && t.rateKbps === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rateKbps'], message: 'expected rateKbps (a number > 0) for a RATE_LIMIT tier' });
    }
  });

export const policySchema = z
  .object({
    tiers: z
      .array(tierSchema)
      .nonempty('expected at least one tier')
      .superRefine((tiers, ctx) => {
        for (let i = 1; i < tiers.length; i++) {
          if (!(tiers[i].above >= tiers[i - 1].above)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'above'], message: `expected tiers in non-decreasing order of 'above' (>= ${tiers[i - 1].above})` });
          }
          if (ACTION_RANK[tiers[i].action] <= ACTION_RANK[tiers[i - 1].action]) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'action'], message: `expected an action more severe than ${tiers[i - 1].action}` });
          }
        }
      }),
    scrubWhen: z
      .object({ entropyAbove: z.number().min(0).max(8), action: z.literal('SCRUB').default('SCRUB') })
      .strict()
      .optional(),
    minAnomalies: z.number().int().min(1).max(MAX_MIN_ANOMALIES).default(3),
    window: positiveDurationUs.default('10s'),
    cooldown: durationUs.default('30s'),
    hysteresis: z.number().min(0).lt(1).default(0.2),
    expireAfter: positiveDurationUs.default('5m'),
    allowList: z
      .array(
        z.string().min(1).superRefine((s, ctx) => {
          if (looksLikeIp(s) && parseIpNet(s) === null) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a vmId, an IP address or a CIDR such as 10.0.0.0/8, got "${s}"` });
          }
        }),
      )
      .default([]),
    dryRun: z.boolean().default(false),
  })
  .strict();

export type PolicyInput = z.input<typeof policySchema>;
type Parsed = z.output<typeof policySchema>;

/** A validated policy, durations in µs. */
export interface Policy {
  /** In increasing severity; `minAnomalies` already defaulted (1 for ALERT, the policy's for the rest). */
  tiers: Array<{ above: number; action: Exclude<MitigationAction, 'NONE'>; rateKbps: number | null; minAnomalies: number }>;
  scrubWhen: { entropyAbove: number; action: 'SCRUB' } | null;
  minAnomalies: number;
  windowUs: number;
  cooldownUs: number;
  hysteresis: number;
  expireAfterUs: number;
  allowList: string[];
  dryRun: boolean;
}

export function toPolicy(p: Parsed): Policy {
  return {
    tiers: p.tiers.map((t) => ({
      above: t.above,
      action: t.action,
      rateKbps: t.rateKbps ?? null,
      minAnomalies: t.minAnomalies ?? (t.action === 'ALERT' ? 1 : p.minAnomalies),
    })),
    scrubWhen: p.scrubWhen ?? null,
    minAnomalies: p.minAnomalies,
    windowUs: p.window,
    cooldownUs: p.cooldown,
    hysteresis: p.hysteresis,
    expireAfterUs: p.expireAfter,
    allowList: p.allowList,
    dryRun: p.dryRun,
  };
}
