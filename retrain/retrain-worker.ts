/**
 * The retrain worker: a BullMQ worker on queue `retrain` that trains (models/train.ts), saves a new
 * versioned model directory and announces it (model-updates.ts) so running topologies swap to it.
 * Training occupies the event loop for seconds at a time, so the job lock is long (a short one
 * would let BullMQ think the job stalled and run it twice).
 */
import Redis from 'ioredis';
import { Worker, type Job } from 'bullmq';
import type { TrainProgress } from '../models';
import { bullConnection } from '../sinks/bullmq';
import { publishModelUpdate } from './model-updates';
import { parseRetrainJob, RETRAIN_QUEUE, type RetrainResult } from './retrain-job';
import { runRetrain } from './run-retrain';

export interface RetrainWorkerOptions {
  redisUrl: string;
  queueName?: string;
  /** Job lock in ms (default 10 minutes). */
  lockDurationMs?: number;
  onProgress?(jobId: string, p: TrainProgress): void;
  onCompleted?(jobId: string, r: RetrainResult): void;
  onFailed?(jobId: string | undefined, err: Error): void;
}

export interface RetrainWorker {
  readonly worker: Worker;
  close(): Promise<void>;
}

export function startRetrainWorker(o: RetrainWorkerOptions): RetrainWorker {
  const connection = bullConnection(o.redisUrl);
  const publisher = new Redis(connection);
  publisher.on('error', () => undefined);
  const worker = new Worker(
    o.queueName ?? RETRAIN_QUEUE,
    async (job: Job): Promise<RetrainResult> => {
      const jobId = job.id ?? '';
      const data = parseRetrainJob(job.data, jobId);
      const r = await runRetrain(data, {
        jobId,
        onProgress: (p) => {
          o.onProgress?.(jobId, p);
          void job.updateProgress({ epoch: p.epoch, epochs: p.epochs, loss: p.loss, valLoss: p.valLoss }).catch(() => undefined);
        },
      });
      await publishModelUpdate(publisher, { target: r.target, dir: r.dir, version: r.version, jobId });
      return r;
    },
    // One training at a time per worker process: a second would only halve the speed of both.
    { connection, concurrency: 1, lockDuration: o.lockDurationMs ?? 600_000 },
  );
  worker.on('completed', (job, r: RetrainResult) => o.onCompleted?.(job.id ?? '', r));
  worker.on('failed', (job, err) => o.onFailed?.(job?.id, err));
  worker.on('error', (err) => o.onFailed?.(undefined, err));
  return {
    worker,
    async close() {
      await worker.close();
      await publisher.quit().catch(() => undefined);
    },
  };
}
