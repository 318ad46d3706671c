/**
 * Durations in operator configs: strings like "500us", "250ms", "1s", "10m", "1h" or a number of
 * milliseconds. Operators keep time in microseconds (event time is µs), so the parser returns µs.
 */
import { z } from 'zod';

const UNIT_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h|d)\s*$/;

export class DurationError extends Error {
  constructor(readonly value: unknown, readonly path: string) {
    super(`${path ? path + ': ' : ''}expected a duration such as "250ms", "1s", "10m" or a number of ms, got ${JSON.stringify(value)}`);
    this.name = 'DurationError';
  }
}

/** Parses a duration to microseconds; throws DurationError naming `path` when it is not one. */
export function parseDurationUs(value: unknown, path = ''): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.round(value * 1e3);
    throw new DurationError(value, path);
  }
  if (typeof value === 'string') {
    const m = DURATION_RE.exec(value);
    if (m) return Math.round(Number(m[1]) * UNIT_US[m[2]]);
  }
  throw new DurationError(value, path);
}

/** Zod schema: a duration in, microseconds out (the issue says what was expected). */
export const durationUs = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return parseDurationUs(v);
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a duration such as "250ms", "1s", "10m" or a number of ms, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
});

/** A duration that must be > 0. */
export const positiveDurationUs = durationUs.refine((us) => us > 0, { message: 'expected a duration > 0' });
