/**
 * StreamSink for `mitigations`: each MitigationDecision becomes a BullMQ job on queue `mitigation`
 * with a deterministic job id (mitigationJobId(decision.id)). BullMQ ignores an add whose id
 * exists, so a worker that replays packets after a crash never enqueues (nor applies) an action twice.
 */
import { Queue } from 'bullmq';
import type { MitigationDecision } from '../../schemas/types';
import type { StreamSink } from '../stream-sink';
import { bullConnection, MITIGATION_QUEUE, mitigationJobId } from './redis-connection';

export interface MitigationQueueSinkOptions {
  redisUrl: string;
  /** Default 'mitigation'. */
  queueName?: string;
  /** Stream taken from the runtime (default 'mitigations'); other streams are ignored. */
  stream?: string;
  /** Attempts an enforcer gets per job (default 5, exponential backoff from 1 s). */
  attempts?: number;
  /** Completed jobs kept for dedup and audit (default 100000): ids of removed jobs could be added again. */
  keepCompleted?: number;
}

export interface MitigationQueueSinkStats {
  /** Decisions handed to BullMQ (duplicates included: BullMQ drops those). */
  added: number;
  ignored: number;
}

export class MitigationQueueSink implements StreamSink {
  readonly queue: Queue;
  private readonly stream: string;
  private pending: Array<{ name: string; data: MitigationDecision; opts: { jobId: string } }> = [];
  private adding: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private readonly counters: MitigationQueueSinkStats = { added: 0, ignored: 0 };
  private readonly attempts: number;
  private readonly keepCompleted: number;

  constructor(options: MitigationQueueSinkOptions) {
    this.queue = new Queue(options.queueName ?? MITIGATION_QUEUE, { connection: bullConnection(options.redisUrl) });
    // An unreachable Redis is reported through flush(); keep the emitter from throwing meanwhile.
    this.queue.on('error', () => undefined);
    this.stream = options.stream ?? 'mitigations';
    this.attempts = options.attempts ?? 5;
    this.keepCompleted = options.keepCompleted ?? 100_000;
  }

  write(stream: string, _key: string, value: unknown): void {
    if (stream !== this.stream) {
      this.counters.ignored++;
      return;
    }
    const d = value as MitigationDecision;
    // Copied: the runtime may reuse the value after the call.
    this.pending.push({ name: d.action, data: { ...d, flow: d.flow === null ? null : { ...d.flow } }, opts: { jobId: mitigationJobId(d.id) } });
    if (this.pending.length >= 256) this.startAdd();
  }

  async flush(): Promise<void> {
    this.startAdd();
    await this.adding;
    if (this.failure !== null) {
      const f = this.failure;
      this.failure = null;
      throw f;
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.queue.close();
    }
  }

  stats(): MitigationQueueSinkStats {
    return { ...this.counters };
  }

  private startAdd(): void {
    if (this.pending.length === 0) return;
    const jobs = this.pending.map((j) => ({
      ...j,
      opts: { ...j.opts, attempts: this.attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: this.keepCompleted, removeOnFail: false },
    }));
    this.pending = [];
    this.adding = this.adding.then(async () => {
      try {
        await this.queue.addBulk(jobs);
        this.counters.added += jobs.length;
      } catch (e) {
        // Kept for the next flush: re-adding is harmless (same job ids), losing them is not.
        this.pending = [...jobs, ...this.pending];
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      }
    });
  }
}
