/**
 * The actor around a Task: its mailbox, its inbox of repartitioned values, and the loop that
 * takes up to `chunkSize` records at a time through the chain. The loop awaits only when the
 * mailbox is empty or an operator went asynchronous, never per record.
 */
import type { Telemetry } from '../../telemetry';
import { ChunkTelemetry } from './chunk-telemetry';
import type { Clock } from './clock';
import { Mailbox, type RecordQueue } from './record-queue';
import { Signal, yieldToEventLoop } from './signal';
import type { Task } from './task';

/** What a runner needs from the runtime around it. */
export interface RunnerHost {
  readonly clock: Clock;
  readonly failure: unknown;
  readonly inputEnded: boolean;
  /** Unread records of this runner's log partition. */
  logPartition(partition: number): RecordQueue<unknown>;
  /** Called after the runner took records, so a paused source may go on. */
  onSpace(): void;
  /** Called at loop boundaries; returns a Promise when a checkpoint is written. */
  maybeCheckpoint(runner: TaskRunner, nowUs: number): void | Promise<void>;
}

/** Yield to I/O every this many chunks so a busy task cannot starve sources and sinks. */
const CHUNKS_PER_YIELD = 64;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class TaskRunner {
  readonly mailbox: Mailbox<unknown>;
  readonly wake = new Signal();
  /** Records taken from the mailbox and run through the chain (= next input offset). */
  records = 0;
  repartitionedIn = 0;
  // Inbox of repartitioned values as parallel arrays: baseline may send one per packet.
  private inOps: number[] = [];
  private inNames: string[] = [];
  private inKeys: string[] = [];
  private inValues: unknown[] = [];
  private inCount = 0;
  private readonly chunkTelemetry: ChunkTelemetry | undefined;

  constructor(readonly task: Task, private readonly host: RunnerHost, mailboxCapacity: number, private readonly chunkSize: number, telemetry?: Telemetry) {
    this.mailbox = new Mailbox<unknown>(mailboxCapacity);
    this.chunkTelemetry = ChunkTelemetry.wanted(telemetry) ? new ChunkTelemetry(telemetry, task) : undefined;
  }

  get partition(): number {
    return this.task.partition;
  }

  get inboxSize(): number {
    return this.inCount;
  }

  /** Queues a repartitioned value; it is delivered after the chunk in progress, in send order. */
  enqueueRepartitioned(operatorIndex: number, name: string, key: string, value: unknown): void {
    const i = this.inCount++;
    this.inOps[i] = operatorIndex;
    this.inNames[i] = name;
    this.inKeys[i] = key;
    this.inValues[i] = value;
    this.wake.notify();
  }

  /** Delivers queued repartitioned values (and any they cause to be sent here). */
  deliverInbox(): number {
    let delivered = 0;
    while (this.inCount > 0) {
      const n = this.inCount;
      const ops = this.inOps, names = this.inNames, keys = this.inKeys, values = this.inValues;
      // Swap in fresh arrays: delivery may enqueue more (a task can send to itself).
      this.inOps = [];
      this.inNames = [];
      this.inKeys = [];
      this.inValues = [];
      this.inCount = 0;
      for (let i = 0; i < n; i++) this.task.deliverRepartitioned(ops[i], names[i], keys[i], values[i]);
      delivered += n;
    }
    this.repartitionedIn += delivered;
    return delivered;
  }

  /** Moves records from the log partition into the mailbox, up to its capacity. */
  refill(): number {
    return this.mailbox.fillFrom(this.host.logPartition(this.task.partition));
  }

  async run(): Promise<void> {
    const host = this.host;
    const task = this.task;
    const size = this.chunkSize;
    const keys: string[] = new Array<string>(size).fill('');
    const values: unknown[] = new Array<unknown>(size).fill(undefined);
    const ts = new Float64Array(size);
    const log = host.logPartition(task.partition);
    let chunks = 0;
    for (;;) {
      if (host.failure !== undefined) return;
      if (this.inCount > 0) this.deliverInbox();
      const now = host.clock.nowUs();
      task.state.setProcessingTimeMs(now / 1000);
      const pt = task.advanceProcessingTime(now);
      if (pt !== undefined) await pt;
      const cp = host.maybeCheckpoint(this, now);
      if (cp !== undefined) await cp;
      this.refill();
      const n = this.mailbox.drainInto(size, keys, values, ts);
      if (n === 0) {
        if (host.inputEnded && log.size === 0 && this.inCount === 0) return;
        await this.idle(now);
        continue;
      }
      this.refill();
      host.onSpace();
      const r = task.runChunk(keys, values, ts, n);
      if (r !== undefined) await r;
      // The chunk's verdicts are in: latency and sampled traces (no-op when telemetry is off).
      if (this.chunkTelemetry !== undefined) this.chunkTelemetry.chunkDone(keys, ts, n, this.records, host.clock.nowUs());
      this.records += n;
      if (++chunks % CHUNKS_PER_YIELD === 0) await yieldToEventLoop();
    }
  }

  /** Waits for records, a repartitioned value, the end of input, or the next processing-time timer. */
  private async idle(nowUs: number): Promise<void> {
    const next = this.task.nextProcessingTimerUs();
    let timeout: NodeJS.Timeout | undefined;
    if (next !== Infinity && this.host.clock.onAdvance === undefined) {
      // setTimeout takes at most 2^31-1 ms; a later timer just wakes the loop early to re-arm.
      const ms = Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil((next - nowUs) / 1000)));
      timeout = setTimeout(() => this.wake.notify(), ms);
    }
    await this.wake.wait();
    if (timeout !== undefined) clearTimeout(timeout);
  }
}
