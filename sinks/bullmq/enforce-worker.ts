/** `prescient enforce`: a BullMQ worker on queue `mitigation` that hands each job to an enforcer. */
import { Worker, type Job } from 'bullmq';
import type { MitigationDecision } from '../../schemas/types';
import type { Enforcer } from './enforcer';
import { bullConnection, MITIGATION_QUEUE } from './redis-connection';

export interface EnforceWorkerOptions {
  redisUrl: string;
  enforcer: Enforcer;
  queueName?: string;
  concurrency?: number;
  onApplied?(decision: MitigationDecision, jobId: string): void;
  onFailed?(jobId: string | undefined, err: Error): void;
}

export function startEnforceWorker(options: EnforceWorkerOptions): Worker<MitigationDecision> {
  const worker = new Worker<MitigationDecision>(
    options.queueName ?? MITIGATION_QUEUE,
    async (job: Job<MitigationDecision>) => {
      const id = job.id ?? '';
      await options.enforcer.apply(job.data, id);
      options.onApplied?.(job.data, id);
    },
    { connection: bullConnection(options.redisUrl), concurrency: options.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => options.onFailed?.(job?.id, err));
  worker.on('error', (err) => options.onFailed?.(undefined, err));
  return worker;
}
