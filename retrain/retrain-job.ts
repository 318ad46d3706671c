/**
 * The `retrain` job: which topology model to replace (`target`), which recent traffic to learn from
 * (`source`), where versioned model directories go (`modelsDir`), and the training settings.
 * Sources are files the retrain worker can read: a pcap/pcapng written by a capture tap (with its
 * inventory), or the synthetic generator (demos, tests). Validated with zod so a bad job fails with
 * the field that is wrong, not deep inside training.
 */
import { z } from 'zod';
import { RetrainJobDataError } from './retrain-error';

/** BullMQ queue of retraining jobs (DESIGN.md: "BullMQ for mitigation and retraining jobs"). */
export const RETRAIN_QUEUE = 'retrain';

const pcapSourceSchema = z
  .object({
    kind: z.literal('pcap'),
    path: z.string().min(1),
    inventory: z.string().min(1).optional(),
    /** Read at most this many packets of the file. */
    maxPackets: z.number().int().positive().optional(),
  })
  .strict();

const syntheticSourceSchema = z
  .object({
    kind: z.literal('synthetic'),
    seed: z.number().int().nonnegative().default(7),
    vms: z.number().int().positive().default(40),
    durationSec: z.number().positive().default(120),
  })
  .strict();

export const retrainJobSchema = z
  .object({
    /**
     * The model setting of the predict operators to swap, as written in their topology (`default`,
     * or a model directory). Listeners compare it after resolving, the same way predict does.
     */
    target: z.string().min(1),
    source: z.discriminatedUnion('kind', [pcapSourceSchema, syntheticSourceSchema]),
    /** New versions are written to <modelsDir>/<version>; it must be reachable by every worker. */
    modelsDir: z.string().min(1),
    train: z
      .object({
        hidden: z.number().int().positive().max(1024).default(32),
        seqLen: z.number().int().min(2).max(512).default(32),
        epochs: z.number().int().positive().max(1000).default(10),
        patience: z.number().int().positive().default(3),
        maxPerVm: z.number().int().positive().default(3000),
        batchSize: z.number().int().positive().default(64),
        seed: z.number().int().nonnegative().default(7),
      })
      .strict()
      .default({}),
  })
  .strict();

export type RetrainJobInput = z.input<typeof retrainJobSchema>;
export type RetrainJob = z.output<typeof retrainJobSchema>;

/** What a completed job returns (BullMQ keeps it as the job's return value). */
export interface RetrainResult {
  target: string;
  version: string;
  dir: string;
  packets: number;
  vms: number;
  valLoss: number | null;
  trainMs: number;
}

export function parseRetrainJob(data: unknown, jobId?: string): RetrainJob {
  const r = retrainJobSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new RetrainJobDataError(issue.path.join('.'), issue.message, jobId);
}
