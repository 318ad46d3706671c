/**
 * `prescient retrain`: `--enqueue` adds a job to the BullMQ queue `retrain` (optionally waiting for
 * it), `--worker` runs the retrain worker until SIGINT/SIGTERM. Redis from --redis or $REDIS_URL.
 */
import { enqueueRetrain, RetrainJobDataError, startRetrainWorker, type RetrainJobInput, type RetrainResult } from '../../retrain';
import { BadArgumentError } from '../errors';
import { ExitCode } from '../exit-codes';

export interface RetrainCommandOptions {
  enqueue?: boolean;
  worker?: boolean;
  redis?: string;
  target: string;
  modelsDir: string;
  pcap?: string;
  inventory?: string;
  maxPackets?: number;
  synthetic?: boolean;
  seed?: number;
  vms?: number;
  durationSec?: number;
  hidden?: number;
  seqLen?: number;
  epochs?: number;
  patience?: number;
  maxPerVm?: number;
  jobId?: string;
  waitSec?: number;
}

function redisUrlOf(o: RetrainCommandOptions, env = process.env): string {
  const url = o.redis ?? env.REDIS_URL;
  if (url === undefined || url === '') throw new BadArgumentError('no Redis: pass --redis or set REDIS_URL');
  return url;
}

/** The job data the options describe (exported for tests). */
export function retrainJobFromOptions(o: RetrainCommandOptions): RetrainJobInput {
  if ((o.pcap !== undefined) === (o.synthetic === true)) throw new BadArgumentError('retrain --enqueue needs exactly one source: --pcap FILE or --synthetic');
  const source: RetrainJobInput['source'] = o.pcap !== undefined
    ? { kind: 'pcap', path: o.pcap, inventory: o.inventory, maxPackets: o.maxPackets }
    : { kind: 'synthetic', seed: o.seed, vms: o.vms, durationSec: o.durationSec };
  return {
    target: o.target,
    source,
    modelsDir: o.modelsDir,
    train: { hidden: o.hidden, seqLen: o.seqLen, epochs: o.epochs, patience: o.patience, maxPerVm: o.maxPerVm, seed: o.seed },
  };
}

export async function retrainCommand(o: RetrainCommandOptions, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  if ((o.enqueue === true) === (o.worker === true)) throw new BadArgumentError('retrain needs exactly one of --enqueue or --worker');
  const redisUrl = redisUrlOf(o);
  if (o.enqueue === true) {
    try {
      const r = await enqueueRetrain(retrainJobFromOptions(o), { redisUrl, jobId: o.jobId, waitMs: o.waitSec !== undefined ? o.waitSec * 1000 : undefined });
      write(JSON.stringify(r.result !== undefined ? { jobId: r.jobId, ...r.result } : { jobId: r.jobId, queued: true }));
      return ExitCode.OK;
    } catch (err) {
      if (err instanceof RetrainJobDataError) throw new BadArgumentError(err.message);
      throw err;
    }
  }
  const w = startRetrainWorker({
    redisUrl,
    onProgress: (id, p) => process.stderr.write(`retrain ${id}: epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} val ${p.valLoss?.toFixed(4) ?? '-'}\n`),
    onCompleted: (id, r: RetrainResult) => write(JSON.stringify({ jobId: id, ...r })),
    onFailed: (id, err) => process.stderr.write(`retrain ${id ?? '(worker)'}: failed: ${err.message}\n`),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await w.close();
  return ExitCode.OK;
}
