/**
 * The bench config: YAML file and/or flags, validated by zod, then checked for requests that
 * cannot be run (a rate the packet budget cannot feed, more workers than partitions), so an
 * impossible bench fails before anything starts, naming the place in the config.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BenchConfigError } from './bench-errors';

/** Above this the generator's per-packet schedule (µs resolution) is meaningless on one core. */
export const MAX_OFFERED_RATE = 2_000_000;

const rate = z.number().positive('a rate must be > 0 packets/s').max(MAX_OFFERED_RATE, `a rate must be <= ${MAX_OFFERED_RATE} packets/s (one generator core)`);

const trafficSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('synthetic'), seed: z.number().int().default(7), vms: z.number().int().min(1).max(20000).default(200) }).strict(),
  z.object({ kind: z.literal('pcap'), path: z.string().min(1), inventory: z.string().min(1).optional() }).strict(),
]);

const variantSchema = z
  .object({
    label: z.string().min(1),
    topology: z.string().min(1),
    /** Overrides the `predict` operator's batch.max (1 = unbatched inference); the topology must have predict. */
    predictBatch: z.number().int().positive().optional(),
    /** Removes the `predict` operator: the model-off baseline of the same chain. */
    modelOff: z.boolean().optional(),
  })
  .strict()
  .refine((v) => !(v.modelOff === true && v.predictBatch !== undefined), { message: 'modelOff and predictBatch cannot be used together', path: ['modelOff'] });

export const benchConfigSchema = z
  .object({
    name: z.string().min(1).default('bench'),
    modes: z.array(z.enum(['embedded', 'kafka'])).min(1).default(['embedded']),
    traffic: trafficSchema.default({ kind: 'synthetic' }),
    /** Measured seconds per step (after the warm-up). */
    durationSec: z.number().positive().max(3600).default(5),
    /** Seconds sent at the step's rate before measuring (JIT, windows, baselines warm up). */
    warmupSec: z.number().min(0).max(600).default(1),
    /** Packets one step may send: (warmupSec + durationSec) x rate must fit. They are held in memory. */
    packets: z.number().int().positive().max(20_000_000).default(600_000),
    keepUp: z
      .object({
        /** Achieved / offered below this: the step could not keep up. */
        minAchievedRatio: z.number().gt(0).max(1).default(0.97),
        /** The generator handing packets over later than this behind schedule: could not keep up. */
        maxScheduleLagMs: z.number().positive().default(50),
        /** The generator stops a step once it is this far behind (the pipeline is far too slow). */
        abortLagMs: z.number().positive().default(3000),
        /** After the last packet is sent, wait at most this long for the last verdicts. */
        drainTimeoutSec: z.number().positive().default(15),
      })
      .strict()
      .default({}),
    embedded: z
      .object({
        rates: z.array(rate).min(1).default([10_000, 25_000, 50_000, 100_000]),
        variants: z
          .array(variantSchema)
          .min(1)
          .default([
            { label: 'model-off', topology: 'topology/with-model.yaml', modelOff: true },
            { label: 'model-batched', topology: 'topology/with-model.yaml' },
            { label: 'model-batch1', topology: 'topology/with-model.yaml', predictBatch: 1 },
          ]),
      })
      .strict()
      .default({}),
    kafka: z
      .object({
        rates: z.array(rate).min(1).default([50_000]),
        workers: z.array(z.number().int().positive()).min(1).default([1, 2]),
        topology: z.string().min(1).default('topology/distributed.yaml'),
        /** Partitions of the bench topic (default: the topology's). */
        partitions: z.number().int().positive().max(1024).optional(),
        /** The producer sends what came due within this many ms in one request (a real agent's linger.ms); it is part of the latency. */
        lingerMs: z.number().min(0).max(1000).default(2),
        /** Client library of the bench producer (the workers' consumers stay on kafkajs): see sources/kafka/create-client.ts. */
        client: z.enum(['kafkajs', 'platformatic']).default('kafkajs'),
        /** Client of the workers (`prescient worker --kafka-client`): platformatic = its producer for repartition and side outputs, kafkajs consumer either way. */
        workerClient: z.enum(['kafkajs', 'platformatic']).default('kafkajs'),
        /** 'auto': generator+broker+redis on CPU 0, workers round-robin from the last CPU down; 'none': no taskset. */
        pin: z.enum(['auto', 'none']).default('auto'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type BenchConfig = z.output<typeof benchConfigSchema>;
export type BenchConfigInput = z.input<typeof benchConfigSchema>;
export type TrafficConfig = BenchConfig['traffic'];
export type BenchVariant = BenchConfig['embedded']['variants'][number];

/** Flags of `prescient bench`; each one set wins over the file. */
export interface BenchFlags {
  mode?: Array<'embedded' | 'kafka'>;
  rates?: number[];
  kafkaRates?: number[];
  workers?: number[];
  durationSec?: number;
  warmupSec?: number;
  packets?: number;
}

function formatPath(p: ReadonlyArray<string | number>): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Validates `input` (a parsed file, flags merged in); `file` names it in errors. */
export function parseBenchConfig(input: unknown, file = '<bench config>'): BenchConfig {
  const r = benchConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BenchConfigError(file, formatPath(issue.path), issue.message);
  }
  checkFeasible(r.data, file);
  return r.data;
}

/** Impossible requests that the schema alone cannot see. */
export function checkFeasible(c: BenchConfig, file: string): void {
  const secs = c.warmupSec + c.durationSec;
  const budget = (rates: number[], at: string): void => {
    rates.forEach((r, i) => {
      const need = Math.ceil(r * secs);
      if (need > c.packets) {
        const most = Math.floor(c.packets / secs);
        throw new BenchConfigError(file, `${at}[${i}]`, `rate ${r} packets/s for ${secs} s (warm-up ${c.warmupSec} + ${c.durationSec}) needs ${need} packets, but packets is ${c.packets}: at most ${most} packets/s, or raise packets`);
      }
    });
  };
  if (c.modes.includes('embedded')) budget(c.embedded.rates, 'embedded.rates');
  if (c.modes.includes('kafka')) {
    budget(c.kafka.rates, 'kafka.rates');
    const parts = c.kafka.partitions;
    if (parts !== undefined) {
      c.kafka.workers.forEach((w, i) => {
        if (w > parts) throw new BenchConfigError(file, `kafka.workers[${i}]`, `${w} workers but the topic has ${parts} partitions: the extra workers would sit idle in the group`);
      });
    }
  }
}

/** Reads a YAML (or JSON) bench file, lays the flags over it, validates. */
export function loadBenchConfig(file: string | undefined, flags: BenchFlags = {}): BenchConfig {
  let raw: Record<string, unknown> = {};
  const name = file ?? '<flags>';
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new BenchConfigError(file, '', `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      raw = (parseYaml(text) as Record<string, unknown> | null) ?? {};
    } catch (err) {
      throw new BenchConfigError(file, '', `YAML syntax: ${(err as Error).message.split('\n')[0]}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new BenchConfigError(file, '', 'expected a mapping at the top level');
  }
  return parseBenchConfig(mergeFlags(raw, flags), name);
}

export function mergeFlags(raw: Record<string, unknown>, f: BenchFlags): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const sub = (k: string): Record<string, unknown> => {
    const v = out[k];
    const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
    out[k] = o;
    return o;
  };
  if (f.mode !== undefined) out.modes = f.mode;
  if (f.durationSec !== undefined) out.durationSec = f.durationSec;
  if (f.warmupSec !== undefined) out.warmupSec = f.warmupSec;
  if (f.packets !== undefined) out.packets = f.packets;
  if (f.rates !== undefined) sub('embedded').rates = f.rates;
  if (f.kafkaRates !== undefined) sub('kafka').rates = f.kafkaRates;
  if (f.workers !== undefined) sub('kafka').workers = f.workers;
  return out;
}
