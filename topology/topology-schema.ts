/**
 * The shape of a topology file, less what each operator validates itself (its entry is checked
 * by that operator's configSchema). Durations are strings ("250ms", "1s", "10m", "500us") or a
 * number of milliseconds, and come out in microseconds.
 */
import { z } from 'zod';
import { durationUs, positiveDurationUs } from '../operators/config/duration';

export const SOURCE_KINDS = ['synthetic', 'pcap', 'kafka', 'live'] as const;

// Sources own their fields; only what the runtime or every source needs is checked here.
export const sourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('synthetic'),
    seed: z.number().int().optional(),
    vmCount: z.number().int().positive().optional(),
    durationSec: z.number().positive().optional(),
  }).passthrough(),
  z.object({ kind: z.literal('pcap'), path: z.string().min(1) }).passthrough(),
  z.object({ kind: z.literal('kafka'), topic: z.string().min(1), key: z.string().min(1).default('vmId') }).passthrough(),
  z.object({ kind: z.literal('live'), interface: z.string().min(1).optional() }).passthrough(),
]);

export const operatorEntrySchema = z.object({ use: z.string().min(1) }).passthrough();

export const sinkEntrySchema = z.union([
  z.string().min(1),
  z.object({ kind: z.string().min(1), stream: z.string().min(1) }).passthrough(),
]);

export const stateSchema = z.object({
  backend: z.enum(['memory', 'redis']).default('memory'),
  url: z.string().min(1).optional(),
  checkpointEvery: positiveDurationUs.default('1s'),
}).strict().superRefine((s, ctx) => {
  if (s.backend === 'redis' && s.url === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: 'missing field (expected a redis:// URL when backend is redis)' });
});

export const runtimeSchema = z.object({
  mailboxCapacity: z.number().int().min(1).default(1024),
  chunkSize: z.number().int().min(1).default(256),
  maxOutOfOrderness: durationUs.default('2s'),
  idleTimeout: positiveDurationUs.optional(),
}).strict().superRefine((r, ctx) => {
  if (r.chunkSize > r.mailboxCapacity) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['chunkSize'], message: `expected chunkSize <= mailboxCapacity (${r.mailboxCapacity})` });
});

export const topologySchema = z.object({
  name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"'),
  source: sourceSchema,
  partitions: z.number().int().min(1).max(4096).default(4),
  operators: z.array(operatorEntrySchema).min(1, 'expected at least one operator'),
  sinks: z.array(sinkEntrySchema).default([]),
  state: stateSchema.default({}),
  runtime: runtimeSchema.default({}),
}).strict();

export type TopologyInput = z.input<typeof topologySchema>;
