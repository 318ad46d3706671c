/** Enqueueing retraining jobs on the BullMQ queue `retrain`, and waiting for their outcome. */
import { Queue, QueueEvents } from 'bullmq';
import { bullConnection } from '../sinks/bullmq';
import { parseRetrainJob, RETRAIN_QUEUE, type RetrainJobInput, type RetrainResult } from './retrain-job';

export interface EnqueueRetrainOptions {
  redisUrl: string;
  queueName?: string;
  /** Deterministic id: a second add with the same id is ignored by BullMQ. */
  jobId?: string;
  /** Wait for the job to finish (ms; 0 or absent: return once queued). Throws the job's failure. */
  waitMs?: number;
}

export interface EnqueuedRetrain {
  jobId: string;
  /** Set when waited for. */
  result?: RetrainResult;
}

export async function enqueueRetrain(input: RetrainJobInput, o: EnqueueRetrainOptions): Promise<EnqueuedRetrain> {
  // Validated here too, so a bad job is refused at the command line rather than failing on a worker.
  const data = parseRetrainJob(input);
  const name = o.queueName ?? RETRAIN_QUEUE;
  const connection = bullConnection(o.redisUrl);
  const queue = new Queue(name, { connection });
  const events = o.waitMs !== undefined && o.waitMs > 0 ? new QueueEvents(name, { connection }) : null;
  try {
    if (events !== null) await events.waitUntilReady();
    // One attempt: a failed training is reported, not repeated on the same data.
    const job = await queue.add('retrain', data, { jobId: o.jobId, attempts: 1, removeOnComplete: 1000, removeOnFail: 1000 });
    const jobId = job.id ?? '';
    if (events === null) return { jobId };
    const result = (await job.waitUntilFinished(events, o.waitMs)) as RetrainResult;
    return { jobId, result };
  } finally {
    await events?.close();
    await queue.close();
  }
}
