/**
 * Distributed mode: one worker process of a consumer group on the source topic. Each partition
 * assigned to this worker becomes a Task (the embedded runtime's Task + TaskRunner, same operators)
 * fed from the Kafka batches through a per-partition queue:
 * - assign: restore the partition's state from the backend (Redis, fencing the previous owner)
 *   and resume at the offset the checkpoint covers;
 * - backpressure: a queue past `maxBacklog` pauses that partition's fetches until it drains;
 * - checkpoint every `state.checkpointEvery`: flush outputs, write dirty state + covered offset in
 *   one atomic write, THEN commit that offset to Kafka (Redis is the truth; Kafka's commit is a hint);
 * - revoke: stop the task, checkpoint, drop it.
 * Outputs are at-least-once (a replay after a crash re-emits; records carry deterministic ids).
 */
import type { StreamSink } from '../../sinks/stream-sink';
import type { Checkpoint, StateBackend } from '../../state/backend';
import { MemoryTaskState } from '../../state/memory-backend';
import { CheckpointFencedError } from '../../state/redis-errors';
import type { KafkaClient } from '../../sources/kafka/kafka-client';
import { KafkaPacketSource, type KafkaPacketBatch } from '../../sources/kafka/kafka-packet-source';
import type { PacketEvent } from '../../schemas/types';
import { NOOP_TELEMETRY, type Telemetry, type Tracked } from '../../telemetry';
import { createLogger, type RuntimeLogger } from '../log';
import { SystemClock, type Clock } from '../runtime/clock';
import type { TopologyPlan } from '../runtime/planner';
import { RecordQueue } from '../runtime/record-queue';
import { InProcessBroadcastTables, type SideOutputRouter } from '../runtime/routing';
import { MAIN_OUTPUT_STREAM } from '../runtime/run-topology';
import { Task } from '../runtime/task';
import { TaskRunner, type RunnerHost } from '../runtime/task-runner';
import { countMitigation, trackRunner } from '../runtime/runner-telemetry';
import { KafkaRepartitionRouter } from './kafka-repartition';
import { OffsetTracker } from './offset-tracker';
import { restoreTaskRuntime, saveTaskRuntime } from './task-runtime-state';

/** A backend that can claim a partition on restore (Redis) or only read it (memory). */
export type WorkerStateBackend = StateBackend & {
  restore?(partition: number): Promise<Checkpoint | undefined>;
  release?(partition: number): void;
};

export interface KafkaWorkerOptions {
  client: KafkaClient;
  stateBackend: WorkerStateBackend;
  /** Sinks by stream name (e.g. KafkaStreamSink, MitigationQueueSink); flushed before each checkpoint. */
  sinks?: Record<string, StreamSink> | Map<string, StreamSink>;
  /** Default `prescient-<topology name>`. */
  groupId?: string;
  /** Default: the topology's `source.topic`, else 'packets'. */
  topic?: string;
  deadLetterTopic?: string;
  logger?: RuntimeLogger;
  clock?: Clock;
  /** Records queued per partition before its fetches pause. Default 4 x mailboxCapacity. */
  maxBacklog?: number;
  /** Repartition channels over Kafka topics (default true); false delivers them inside this worker only. */
  kafkaRepartition?: boolean;
  /** Called once when the worker fails for good (an operator threw, the consumer crashed). */
  onFailure?(err: unknown): void;
  /** Metrics, packet traces and readiness (telemetry/); default off. */
  telemetry?: Telemetry;
}

export interface WorkerPartitionStats {
  partition: number;
  /** Records run through the chain by this worker for this partition (all assignments). */
  records: number;
  /** Next offset the last checkpoint covers (-1: none yet). */
  checkpointedOffset: number;
  /** Offset this worker resumed from at its latest assignment (-1: the group's committed offset). */
  restoredFrom: number;
  checkpoints: number;
  pauses: number;
  owned: boolean;
}

export interface WorkerStats {
  topology: string;
  groupId: string;
  packetsIn: number;
  partitions: WorkerPartitionStats[];
  outputs: Record<string, number>;
  unroutedOutputs: Record<string, number>;
  repartitionSent: number;
  repartitionReceived: number;
  deadLettered: number;
  checkpointRetries: number;
  /** Longest checkpoint so far (outputs flush + state write, retries included), ms. */
  longestCheckpointMs: number;
  /** Age of the oldest checkpoint still running (0: none), ms: a stuck one shows here. */
  checkpointInFlightMs: number;
}

/** Tells a runner to leave its loop (the TaskRunner stops on any `failure`). */
const STOPPED = Symbol('stopped');

class PartitionTask implements RunnerHost {
  readonly queue = new RecordQueue<unknown>(1024);
  runner!: TaskRunner;
  loop: Promise<void> = Promise.resolve();
  stopped = false;
  paused = false;
  lastCheckpointUs: number;
  committed = -1;
  /** Offset after the last batch taken (undefined before the first). */
  nextOffset: number | undefined;
  /** Records this worker ran for the partition in earlier assignments. */
  baseRecords: number;
  /** Serializes checkpoints of this partition (periodic vs revoke). */
  checkpointing: Promise<void> = Promise.resolve();
  /** performance.now() when the running checkpoint began (undefined: none running). */
  checkpointStartedMs: number | undefined;
  /** Log end offset of the partition at the last fetch (-1: none yet), for the lag metric. */
  highWatermark = -1;
  tracked: Tracked | undefined;

  constructor(readonly partition: number, readonly tracker: OffsetTracker, private readonly worker: KafkaWorker, readonly stats: WorkerPartitionStats) {
    this.lastCheckpointUs = worker.clock.nowUs();
    this.baseRecords = stats.records;
  }

  get clock(): Clock {
    return this.worker.clock;
  }

  get failure(): unknown {
    return this.worker.failure ?? (this.stopped ? STOPPED : undefined);
  }

  get inputEnded(): boolean {
    return false;
  }

  logPartition(): RecordQueue<unknown> {
    return this.queue;
  }

  onSpace(): void {
    this.worker.onSpace(this);
  }

  maybeCheckpoint(_runner: TaskRunner, nowUs: number): void | Promise<void> {
    if (nowUs - this.lastCheckpointUs < this.worker.checkpointEveryUs) return undefined;
    this.lastCheckpointUs = nowUs;
    return this.worker.checkpoint(this);
  }
}

export class KafkaWorker implements SideOutputRouter {
  readonly clock: Clock;
  readonly checkpointEveryUs: number;
  readonly groupId: string;
  failure: unknown = undefined;
  private readonly logger: RuntimeLogger;
  private readonly sinks: Map<string, StreamSink>;
  private readonly source: KafkaPacketSource;
  private readonly tasks = new Map<number, PartitionTask>();
  private readonly partitionStats = new Map<number, WorkerPartitionStats>();
  private readonly broadcasts = new InProcessBroadcastTables();
  private readonly repartition: KafkaRepartitionRouter | null;
  /** Receives repartitioned values for every key: scope profiles and broadcast tables of this worker. */
  private readonly scopeTask: Task;
  private readonly outputs = new Map<string, number>();
  private readonly unrouted = new Map<string, number>();
  private readonly maxBacklog: number;
  private packetsIn = 0;
  private checkpointRetries = 0;
  private longestCheckpointMs = 0;
  private crashed = false;
  private closed = false;
  /** Wakes idle tasks so a quiet partition still checkpoints (and commits) what it processed. */
  private ticker: NodeJS.Timeout | undefined;
  private unsubscribeClock: (() => void) | undefined;
  private readonly telemetry: Telemetry;
  private readonly deadLetterTracked: Tracked;

  constructor(readonly plan: TopologyPlan<PacketEvent>, private readonly options: KafkaWorkerOptions) {
    this.telemetry = options.telemetry ?? NOOP_TELEMETRY;
    this.clock = options.clock ?? new SystemClock();
    this.logger = (options.logger ?? createLogger()).child({ topology: plan.name, mode: 'worker' });
    this.checkpointEveryUs = plan.state.checkpointEveryUs;
    this.groupId = options.groupId ?? `prescient-${plan.name}`;
    this.maxBacklog = options.maxBacklog ?? plan.runtime.mailboxCapacity * 4;
    const s = options.sinks;
    this.sinks = s === undefined ? new Map() : s instanceof Map ? s : new Map(Object.entries(s));
    const topic = options.topic ?? (typeof plan.topology.source.topic === 'string' ? plan.topology.source.topic : 'packets');
    const scopeState = new MemoryTaskState(-1, this.clock.nowUs() / 1000);
    this.repartition = options.kafkaRepartition === false ? null : new KafkaRepartitionRouter(options.client, {
      topologyName: plan.name,
      partitions: plan.partitions,
      deliver: (op, name, key, value) => this.deliverScope(op, name, key, value),
      onError: (err) => this.logger.warn({ err }, 'repartition channel error'),
    });
    const local = { send: (_f: number, op: number, name: string, key: string, value: unknown): void => this.deliverScope(op, name, key, value) };
    this.scopeTask = new Task({
      topologyName: plan.name,
      partition: -1,
      chain: plan.chain,
      state: scopeState,
      clock: this.clock,
      maxOutOfOrdernessUs: plan.runtime.maxOutOfOrdernessUs,
      outputs: this,
      repartitions: this.repartition ?? local,
      broadcasts: this.broadcasts,
      logger: this.logger,
    });
    this.source = new KafkaPacketSource(options.client, {
      groupId: this.groupId,
      topic,
      deadLetterTopic: options.deadLetterTopic,
      onBatch: (b) => this.onBatch(b),
      onAssign: (p) => this.assign(p),
      onRevoke: (ps) => this.revoke(ps),
      onCrash: (err) => this.fail(err),
    });
    this.deadLetterTracked = this.telemetry.metrics.observeDeadLetters((emit) => {
      for (const [reason, n] of Object.entries(this.source.stats().deadLetterReasons)) emit(reason, n);
    });
  }

  /** Opens the scope task, creates the repartition topics, joins the group; resolves once consuming. */
  async start(): Promise<void> {
    await this.scopeTask.open();
    await this.repartition?.start(this.groupId);
    this.logger.info({ group: this.groupId, source: this.source.description, channels: [...(this.repartition?.channels.keys() ?? [])] }, 'worker started');
    await this.source.start();
    const everyMs = Math.max(10, Math.round(this.checkpointEveryUs / 1000));
    this.ticker = setInterval(() => {
      for (const t of this.tasks.values()) t.runner.wake.notify();
    }, everyMs);
    this.ticker.unref();
    this.telemetry.setReady(true);
    // A manual clock (tests) wakes tasks when it jumps, so their checkpoints and timers come due.
    this.unsubscribeClock = this.clock.onAdvance?.(() => {
      for (const t of this.tasks.values()) t.runner.wake.notify();
    });
  }

  /** Partitions this worker owns now. */
  ownedPartitions(): number[] {
    return [...this.tasks.keys()].sort((a, b) => a - b);
  }

  /** Graceful stop: every task checkpoints and commits (revoke), then outputs are flushed. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.telemetry.setReady(false);
    clearInterval(this.ticker);
    this.unsubscribeClock?.();
    await this.source.close();
    await this.repartition?.close(true);
    await this.scopeTask.close().catch(() => undefined);
    this.deadLetterTracked.release();
    this.logger.info({ packetsIn: this.packetsIn }, 'worker stopped');
  }

  /**
   * Simulated crash (fault tests): tasks stop at once, no checkpoint, no commit, no flush of the
   * repartition producer; the consumer leaves the group so the partitions move on without waiting
   * out the session timeout. What was processed since the last checkpoint is processed again by
   * the next owner, which restores the last checkpoint (and fences this worker's late writes).
   */
  async kill(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.crashed = true;
    this.telemetry.setReady(false);
    this.deadLetterTracked.release();
    clearInterval(this.ticker);
    this.unsubscribeClock?.();
    for (const t of this.tasks.values()) {
      t.stopped = true;
      t.runner.wake.notify();
      t.tracked?.release();
    }
    await Promise.all([...this.tasks.values()].map((t) => t.loop));
    await this.source.close().catch(() => undefined);
    await this.repartition?.close(false);
  }

  stats(): WorkerStats {
    const src = this.source.stats();
    return {
      topology: this.plan.name,
      groupId: this.groupId,
      packetsIn: this.packetsIn,
      partitions: [...this.partitionStats.values()].sort((a, b) => a.partition - b.partition).map((s) => {
        const pt = this.tasks.get(s.partition);
        return pt === undefined ? { ...s } : { ...s, records: pt.baseRecords + pt.runner.records };
      }),
      outputs: Object.fromEntries(this.outputs),
      unroutedOutputs: Object.fromEntries(this.unrouted),
      repartitionSent: this.repartition?.sent ?? 0,
      repartitionReceived: this.repartition?.received ?? 0,
      deadLettered: src.deadLettered,
      checkpointRetries: this.checkpointRetries,
      longestCheckpointMs: Math.round(this.longestCheckpointMs),
      checkpointInFlightMs: Math.round(this.oldestCheckpointInFlightMs()),
    };
  }

  // --- SideOutputRouter ---
  emit(stream: string, key: string, value: unknown): void {
    countMitigation(this.telemetry.metrics, stream, value);
    const sink = this.sinks.get(stream);
    if (sink === undefined) {
      this.unrouted.set(stream, (this.unrouted.get(stream) ?? 0) + 1);
      return;
    }
    sink.write(stream, key, value);
    this.outputs.set(stream, (this.outputs.get(stream) ?? 0) + 1);
  }

  private deliverScope(operatorIndex: number, name: string, key: string, value: unknown): void {
    try {
      this.scopeTask.state.setProcessingTimeMs(this.clock.nowUs() / 1000);
      this.scopeTask.deliverRepartitioned(operatorIndex, name, key, value);
    } catch (err) {
      this.fail(err);
    }
  }

  private async assign(partition: number): Promise<string | undefined> {
    const backend = this.options.stateBackend;
    const cp = backend.restore !== undefined ? await backend.restore(partition) : await backend.loadCheckpoint(partition);
    const state = backend.openTask(partition);
    if (cp !== undefined) state.restore(cp.entries);
    let stats = this.partitionStats.get(partition);
    if (stats === undefined) {
      stats = { partition, records: 0, checkpointedOffset: -1, restoredFrom: -1, checkpoints: 0, pauses: 0, owned: true };
      this.partitionStats.set(partition, stats);
    }
    stats.owned = true;
    stats.restoredFrom = cp?.offset ?? -1;
    const pt = new PartitionTask(partition, new OffsetTracker(cp?.offset), this, stats);
    pt.committed = cp?.offset ?? -1;
    pt.nextOffset = cp?.offset;
    const main = this.sinks.get(MAIN_OUTPUT_STREAM);
    const task = new Task({
      topologyName: this.plan.name,
      partition,
      chain: this.plan.chain,
      state,
      clock: this.clock,
      maxOutOfOrdernessUs: this.plan.runtime.maxOutOfOrdernessUs,
      outputs: this,
      repartitions: this.repartition ?? { send: (_f, op, name, key, value) => this.deliverScope(op, name, key, value) },
      broadcasts: this.broadcasts,
      logger: this.logger,
      onOutput: main === undefined ? undefined : (key, value): void => this.emit(MAIN_OUTPUT_STREAM, key, value),
    });
    await task.open();
    const timers = restoreTaskRuntime(task);
    pt.runner = new TaskRunner(task, pt, this.plan.runtime.mailboxCapacity, this.plan.runtime.chunkSize, this.telemetry);
    // Lag: records not fetched yet (log end - next fetch) plus those fetched and not yet run.
    pt.tracked = trackRunner(this.telemetry.metrics, pt.runner, () => Math.max(0, pt.highWatermark - (pt.nextOffset ?? pt.highWatermark)) + pt.queue.size + pt.runner.mailbox.size);
    this.tasks.set(partition, pt);
    pt.loop = pt.runner.run().catch((err: unknown) => this.fail(err));
    this.logger.info({ partition, resumeFrom: cp?.offset ?? 'committed', cells: cp?.entries.length ?? 0, timers }, 'partition assigned');
    return cp === undefined ? undefined : String(cp.offset);
  }

  private async revoke(partitions: number[]): Promise<void> {
    await Promise.all(partitions.map((p) => this.drop(p)));
  }

  private async drop(partition: number): Promise<void> {
    const pt = this.tasks.get(partition);
    if (pt === undefined) return;
    pt.stopped = true;
    pt.runner.wake.notify();
    await pt.loop;
    pt.stats.records = pt.baseRecords + pt.runner.records;
    if (!this.crashed && this.failure === undefined) await this.checkpoint(pt);
    this.tasks.delete(partition);
    pt.tracked?.release();
    pt.stats.owned = false;
    this.options.stateBackend.release?.(partition);
    await pt.runner.task.close().catch((err: unknown) => this.logger.warn({ err, partition }, 'task close failed'));
    this.logger.info({ partition, records: pt.stats.records, checkpointedOffset: pt.stats.checkpointedOffset }, 'partition revoked');
  }

  private async onBatch(b: KafkaPacketBatch): Promise<void> {
    const pt = this.tasks.get(b.partition);
    if (pt === undefined || pt.stopped) return;
    const { ingest } = this.plan;
    const q = pt.queue;
    const ev = b.events;
    const offsets = b.offsets;
    const next = Number(b.nextOffset);
    // After a rebalance kafkajs refetches a kept partition from the committed offset, which lags
    // the checkpoints' work: records this task already has are skipped, or they would count twice.
    let from = 0;
    const expected = pt.nextOffset;
    if (expected !== undefined) {
      if (next <= expected) return;
      while (from < offsets.length && offsets[from] < expected) from++;
    }
    for (let i = from; i < ev.length; i++) {
      const p = ev[i];
      q.push(ingest.key(p), ingest.value(p), ingest.eventTimeUs(p));
    }
    pt.tracker.append(from === 0 ? offsets : offsets.slice(from), Math.max(Number(b.firstOffset), expected ?? 0), next);
    pt.nextOffset = next;
    pt.highWatermark = Number(b.highWatermark);
    this.packetsIn += ev.length - from;
    if (!pt.paused && q.size > this.maxBacklog) {
      pt.paused = true;
      pt.stats.pauses++;
      this.source.pause([b.partition]);
    }
    pt.runner.wake.notify();
  }

  /** Called by a runner after it took records: resume a paused partition once half drained. */
  onSpace(pt: PartitionTask): void {
    if (pt.paused && pt.queue.size <= this.maxBacklog / 2 && !pt.stopped) {
      pt.paused = false;
      this.source.resume([pt.partition]);
    }
  }

  /** Checkpoints one partition: outputs flushed, state + offset in one write, then the Kafka commit. */
  checkpoint(pt: PartitionTask): Promise<void> {
    const run = pt.checkpointing.then(() => this.checkpointNow(pt));
    pt.checkpointing = run.catch(() => undefined);
    return run;
  }

  private async checkpointNow(pt: PartitionTask): Promise<void> {
    const started = performance.now();
    pt.checkpointStartedMs = started;
    try {
      await this.checkpointSteps(pt);
    } finally {
      this.longestCheckpointMs = Math.max(this.longestCheckpointMs, performance.now() - started);
      pt.checkpointStartedMs = undefined;
    }
  }

  private oldestCheckpointInFlightMs(): number {
    const now = performance.now();
    let oldest = 0;
    for (const t of this.tasks.values()) if (t.checkpointStartedMs !== undefined) oldest = Math.max(oldest, now - t.checkpointStartedMs);
    return oldest;
  }

  private async checkpointSteps(pt: PartitionTask): Promise<void> {
    const runner = pt.runner;
    const records = runner.records;
    pt.stats.records = pt.baseRecords + records;
    const offset = pt.tracker.coveredOffset(records);
    if (offset === undefined) return;
    const state = runner.task.state;
    saveTaskRuntime(runner.task);
    const t0 = performance.now();
    // Outputs of the covered records must be durable before the offset says they are done.
    await this.flushOutputs();
    const entries = state.dirtyEntries();
    if (offset === pt.stats.checkpointedOffset && entries.length === 1) return;
    const cp: Checkpoint = { partition: pt.partition, offset, entries, takenAtMs: this.clock.nowUs() / 1000 };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.stateBackend.saveCheckpoint(cp);
        break;
      } catch (err) {
        if (err instanceof CheckpointFencedError) {
          // Another worker restored this partition: it is no longer ours; stop without committing.
          this.logger.warn({ partition: pt.partition, err: err.message }, 'checkpoint fenced; dropping the task');
          pt.stopped = true;
          return;
        }
        if (this.crashed || (this.closed && attempt > 50)) throw err;
        this.checkpointRetries++;
        if (attempt === 0) this.logger.warn({ partition: pt.partition, err: (err as Error).message }, 'checkpoint failed; retrying until the state backend answers');
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
    state.clearDirty();
    this.telemetry.metrics.recordCheckpoint(performance.now() - t0, entries.length);
    pt.stats.checkpoints++;
    pt.stats.checkpointedOffset = offset;
    if (offset !== pt.committed) {
      try {
        await this.source.commit([{ partition: pt.partition, offset: String(offset) }]);
        pt.committed = offset;
      } catch (err) {
        // The checkpoint in Redis is what a new owner resumes from; a lost commit costs nothing.
        this.logger.warn({ partition: pt.partition, offset, err: (err as Error).message }, 'offset commit failed (the checkpoint stands)');
      }
    }
  }

  private async flushOutputs(): Promise<void> {
    await this.repartition?.flush();
    for (const sink of new Set(this.sinks.values())) await sink.flush();
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined || this.closed) return;
    this.failure = err ?? new Error('unknown failure');
    this.telemetry.setReady(false);
    this.logger.error({ err: this.failure }, 'worker failed');
    for (const t of this.tasks.values()) t.runner.wake.notify();
    this.options.onFailure?.(this.failure);
  }
}
