/**
 * Embedded mode: the whole topology in this process. The source is read batch by batch into
 * the partitioned log; each partition's task takes records into its bounded mailbox and runs
 * them through its chain. A partition whose log backlog exceeds its bound pauses the source
 * (the next batch is not pulled) until its task catches up: nothing is dropped.
 */
import type { StreamSink } from '../../sinks/stream-sink';
import type { StateBackend } from '../../state/backend';
import { MemoryStateBackend } from '../../state/memory-backend';
import { NOOP_TELEMETRY, type Telemetry, type Tracked } from '../../telemetry';
import { EmbeddedLog } from '../embedded-log';
import { createLogger, type RuntimeLogger } from '../log';
import { SystemClock, type Clock } from './clock';
import type { TopologyPlan } from './planner';
import type { RecordQueue } from './record-queue';
import { countMitigation, trackRunner } from './runner-telemetry';
import { InProcessBroadcastTables, type RepartitionRouter, type SideOutputRouter } from './routing';
import { Signal } from './signal';
import { Task } from './task';
import { TaskRunner, type RunnerHost } from './task-runner';

/** Stream name under which the last operator's main output goes to a sink, when one is given. */
export const MAIN_OUTPUT_STREAM = 'output';

/** What the runtime reads: PacketSource (sources/source.ts) has this shape for PacketEvent. */
export interface BatchSource<P> {
  readonly description: string;
  batches(): AsyncIterable<P[]>;
  close?(): Promise<void>;
}

export interface RunOptions<P> {
  /** A PacketSource (sources/) when P is PacketEvent; anything batch-shaped otherwise. */
  source: BatchSource<P>;
  /** Sinks by stream name. Emits to a stream without a sink are counted in `unroutedOutputs`. */
  sinks?: Record<string, StreamSink> | Map<string, StreamSink>;
  clock?: Clock;
  /** Called about every `progressIntervalMs` (default 1000) and once at the end. */
  onProgress?: (stats: RunStats) => void;
  progressIntervalMs?: number;
  logger?: RuntimeLogger;
  /** Defaults to memory; the plan's `state.backend: redis` needs one passed here. */
  stateBackend?: StateBackend;
  /** Unread records a log partition may hold before the source is paused. Default 4 x mailboxCapacity. */
  maxLogBacklog?: number;
  /** Flush and close the sinks at the end (default true). */
  closeSinks?: boolean;
  /** Metrics and packet traces (telemetry/); default off. */
  telemetry?: Telemetry;
}

export interface PartitionStats {
  partition: number;
  /** Records run through this task's chain. */
  records: number;
  mailboxCapacity: number;
  mailboxHighWater: number;
  repartitionedIn: number;
  checkpoints: number;
}

export interface OperatorRunStats {
  name: string;
  recordsIn: number;
  recordsOut: number;
  timersFired: number;
  timeMs: number;
}

export interface RunStats {
  topology: string;
  source: string;
  packetsIn: number;
  partitions: PartitionStats[];
  /** Per operator of the chain, summed over tasks. */
  operators: OperatorRunStats[];
  /** Side outputs (and the main output) per stream. */
  outputs: Record<string, number>;
  unroutedOutputs: Record<string, number>;
  /** Times the source was paused because a partition was behind. */
  sourcePauses: number;
  wallMs: number;
  packetsPerSec: number;
  finished: boolean;
}

/** The run failed: the first error of any task or of the source. */
export class RunError extends Error {
  constructor(message: string, override readonly cause: unknown) {
    super(message);
    this.name = 'RunError';
  }
}

class EmbeddedRuntime<P> implements RunnerHost, SideOutputRouter, RepartitionRouter {
  readonly clock: Clock;
  failure: unknown = undefined;
  inputEnded = false;
  readonly log: EmbeddedLog<unknown>;
  readonly runners: TaskRunner[] = [];
  readonly space = new Signal();
  readonly outputs = new Map<string, number>();
  readonly unrouted = new Map<string, number>();
  readonly checkpointCounts: number[];
  packetsIn = 0;
  sourcePauses = 0;
  private readonly sinks: Map<string, StreamSink>;
  private readonly backend: StateBackend;
  private readonly checkpointEveryUs: number;
  private readonly lastCheckpointUs: number[];
  private readonly maxBacklog: number;
  private readonly logger: RuntimeLogger;
  private readonly started = performance.now();
  private finished = false;
  private unsubscribeClock: (() => void) | undefined;
  private readonly telemetry: Telemetry;
  private readonly tracked: Tracked[] = [];

  constructor(readonly plan: TopologyPlan<P>, readonly options: RunOptions<P>) {
    this.telemetry = options.telemetry ?? NOOP_TELEMETRY;
    this.clock = options.clock ?? new SystemClock();
    this.logger = (options.logger ?? createLogger()).child({ topology: plan.name });
    this.log = new EmbeddedLog<unknown>(plan.partitions);
    const s = options.sinks;
    this.sinks = s === undefined ? new Map() : s instanceof Map ? s : new Map(Object.entries(s));
    if (plan.state.backend === 'redis' && options.stateBackend === undefined) {
      throw new RunError("state backend 'redis' needs a StateBackend passed in RunOptions.stateBackend", undefined);
    }
    this.backend = options.stateBackend ?? new MemoryStateBackend(() => this.clock.nowUs() / 1000);
    this.checkpointEveryUs = plan.state.checkpointEveryUs;
    this.maxBacklog = options.maxLogBacklog ?? plan.runtime.mailboxCapacity * 4;
    this.checkpointCounts = new Array<number>(plan.partitions).fill(0);
    this.lastCheckpointUs = new Array<number>(plan.partitions).fill(this.clock.nowUs());
    const broadcasts = new InProcessBroadcastTables();
    const main = this.sinks.get(MAIN_OUTPUT_STREAM);
    for (let p = 0; p < plan.partitions; p++) {
      const task = new Task({
        topologyName: plan.name,
        partition: p,
        chain: plan.chain,
        state: this.backend.openTask(p),
        clock: this.clock,
        maxOutOfOrdernessUs: plan.runtime.maxOutOfOrdernessUs,
        outputs: this,
        repartitions: this,
        broadcasts,
        logger: this.logger,
        onOutput: main === undefined ? (): void => this.count(this.unrouted, MAIN_OUTPUT_STREAM) : (key, value): void => {
          main.write(MAIN_OUTPUT_STREAM, key, value);
          this.count(this.outputs, MAIN_OUTPUT_STREAM);
        },
      });
      const runner = new TaskRunner(task, this, plan.runtime.mailboxCapacity, plan.runtime.chunkSize, this.telemetry);
      this.runners.push(runner);
      this.tracked.push(trackRunner(this.telemetry.metrics, runner, () => this.log.backlog(p) + runner.mailbox.size));
    }
    // A manual clock wakes idle tasks when it jumps, so their processing-time timers fire.
    this.unsubscribeClock = this.clock.onAdvance?.(() => {
      for (const r of this.runners) r.wake.notify();
    });
  }

  // --- SideOutputRouter / RepartitionRouter ---
  emit(stream: string, key: string, value: unknown): void {
    countMitigation(this.telemetry.metrics, stream, value);
    const sink = this.sinks.get(stream);
    if (sink === undefined) {
      this.count(this.unrouted, stream);
      return;
    }
    sink.write(stream, key, value);
    this.count(this.outputs, stream);
  }

  send(_from: number, operatorIndex: number, name: string, key: string, value: unknown): void {
    this.runners[this.log.partitionOf(key)].enqueueRepartitioned(operatorIndex, name, key, value);
  }

  // --- RunnerHost ---
  logPartition(partition: number): RecordQueue<unknown> {
    return this.log.partition(partition);
  }

  onSpace(): void {
    this.space.notify();
  }

  maybeCheckpoint(runner: TaskRunner, nowUs: number): void | Promise<void> {
    const p = runner.partition;
    if (nowUs - this.lastCheckpointUs[p] < this.checkpointEveryUs) return undefined;
    this.lastCheckpointUs[p] = nowUs;
    return this.checkpoint(runner, nowUs);
  }

  async checkpoint(runner: TaskRunner, nowUs: number): Promise<void> {
    const state = runner.task.state;
    const entries = state.dirtyEntries();
    state.clearDirty();
    const t0 = performance.now();
    await this.backend.saveCheckpoint({ partition: runner.partition, offset: runner.records, entries, takenAtMs: nowUs / 1000 });
    this.telemetry.metrics.recordCheckpoint(performance.now() - t0, entries.length);
    this.checkpointCounts[runner.partition]++;
  }

  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err ?? new Error('unknown failure');
    for (const r of this.runners) r.wake.notify();
    this.space.notify();
  }

  async run(): Promise<RunStats> {
    const { plan, options } = this;
    this.logger.info({ source: options.source.description, partitions: plan.partitions, operators: plan.chain.map((c) => c.name) }, 'run started');
    for (const r of this.runners) await r.task.open();
    const loops = this.runners.map((r) => r.run().catch((err: unknown) => this.fail(err)));
    try {
      await this.readSource();
    } catch (err) {
      this.fail(new RunError(`source ${options.source.description} failed: ${(err as Error).message}`, err));
    }
    this.inputEnded = true;
    for (const r of this.runners) r.wake.notify();
    await Promise.all(loops);
    if (this.failure === undefined) {
      try {
        await this.finish();
      } catch (err) {
        this.fail(err);
      }
    }
    await this.closeAll();
    this.unsubscribeClock?.();
    for (const t of this.tracked) t.release();
    this.finished = true;
    const stats = this.stats();
    options.onProgress?.(stats);
    if (this.failure !== undefined) {
      this.logger.error({ err: this.failure }, 'run failed');
      throw this.failure;
    }
    this.logger.info({ packetsIn: stats.packetsIn, wallMs: Math.round(stats.wallMs), packetsPerSec: Math.round(stats.packetsPerSec), sourcePauses: stats.sourcePauses }, 'run finished');
    return stats;
  }

  private async readSource(): Promise<void> {
    const { ingest } = this.plan;
    const log = this.log;
    const runners = this.runners;
    const interval = this.options.progressIntervalMs ?? 1000;
    let lastProgress = performance.now();
    for await (const batch of this.options.source.batches()) {
      if (this.failure !== undefined) break;
      for (let i = 0; i < batch.length; i++) {
        const p = batch[i];
        log.append(ingest.key(p), ingest.value(p), ingest.eventTimeUs(p));
      }
      this.packetsIn += batch.length;
      for (const r of runners) if (r.refill() > 0 || r.mailbox.size > 0) r.wake.notify();
      if (this.overBacklog()) {
        this.sourcePauses++;
        while (this.failure === undefined && this.overBacklog()) await this.space.wait();
      }
      if (this.options.onProgress !== undefined && performance.now() - lastProgress >= interval) {
        lastProgress = performance.now();
        this.options.onProgress(this.stats());
      }
    }
  }

  private overBacklog(): boolean {
    for (let p = 0; p < this.plan.partitions; p++) if (this.log.backlog(p) > this.maxBacklog) return true;
    return false;
  }

  /** End of input: deliver what is in flight, move every watermark to +inf (windows close), settle, checkpoint. */
  private async finish(): Promise<void> {
    let first = true;
    for (let round = 0; ; round++) {
      if (round > 10_000) throw new RunError('repartitioned values and timers kept coming after the end of input', undefined);
      let progressed = false;
      for (const r of this.runners) if (r.inboxSize > 0) progressed = r.deliverInbox() > 0 || progressed;
      for (const r of this.runners) {
        const pending = r.task.timers.some((t) => t.event.size > 0);
        if (first || pending) {
          const x = r.task.advanceWatermark(Infinity);
          if (x !== undefined) await x;
          if (pending) progressed = true;
        }
      }
      first = false;
      if (!progressed && this.runners.every((r) => r.inboxSize === 0)) break;
    }
    const now = this.clock.nowUs();
    for (const r of this.runners) await this.checkpoint(r, now);
  }

  private async closeAll(): Promise<void> {
    for (const r of this.runners) {
      try {
        await r.task.close();
      } catch (err) {
        this.fail(err);
      }
    }
    try {
      await this.options.source.close?.();
    } catch (err) {
      this.logger.warn({ err }, 'source close failed');
    }
    if (this.options.closeSinks ?? true) {
      for (const [stream, sink] of this.sinks) {
        try {
          await sink.flush();
          await sink.close();
        } catch (err) {
          this.fail(new RunError(`sink for stream '${stream}' failed to flush/close: ${(err as Error).message}`, err));
        }
      }
    }
  }

  private count(m: Map<string, number>, stream: string): void {
    m.set(stream, (m.get(stream) ?? 0) + 1);
  }

  stats(): RunStats {
    const wallMs = performance.now() - this.started;
    const operators: OperatorRunStats[] = this.plan.chain.map((c, i) => {
      const s = { name: c.name, recordsIn: 0, recordsOut: 0, timersFired: 0, timeMs: 0 };
      for (const r of this.runners) {
        const o = r.task.stats[i];
        s.recordsIn += o.recordsIn;
        s.recordsOut += o.recordsOut;
        s.timersFired += o.timersFired;
        s.timeMs += o.timeMs;
      }
      return s;
    });
    return {
      topology: this.plan.name,
      source: this.options.source.description,
      packetsIn: this.packetsIn,
      partitions: this.runners.map((r) => ({
        partition: r.partition,
        records: r.records,
        mailboxCapacity: r.mailbox.capacity,
        mailboxHighWater: r.mailbox.highWater,
        repartitionedIn: r.repartitionedIn,
        checkpoints: this.checkpointCounts[r.partition],
      })),
      operators,
      outputs: Object.fromEntries(this.outputs),
      unroutedOutputs: Object.fromEntries(this.unrouted),
      sourcePauses: this.sourcePauses,
      wallMs,
      packetsPerSec: wallMs > 0 ? (this.packetsIn * 1000) / wallMs : 0,
      finished: this.finished,
    };
  }
}

/** Runs a planned topology in this process until the source ends; resolves with the run's stats. */
export async function runTopology<P>(plan: TopologyPlan<P>, options: RunOptions<P>): Promise<RunStats> {
  return new EmbeddedRuntime<P>(plan, options).run();
}
