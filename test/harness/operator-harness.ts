/**
 * Runs one operator the way a task runs it, without a topology (Flink's
 * KeyedOneInputStreamOperatorTestHarness): feed records, move event and processing time by
 * hand, read keyed state, side outputs and broadcast tables. It drives the runtime's own Task,
 * context, state and timer classes; only the clock is manual and routing stays in-process.
 */
import type { OperatorDefinition } from '../../operators/contract';
import type { AnyOperatorDefinition } from '../../operators/registry';
import { MemoryTaskState } from '../../state/memory-backend';
import { createLogger, MemoryLogDestination } from '../../topology/log';
import { ManualClock } from '../../topology/runtime/clock';
import { InProcessBroadcastTables, type RepartitionRouter, type SideOutputRouter } from '../../topology/runtime/routing';
import { Task } from '../../topology/runtime/task';

export interface HarnessOptions {
  /** Partition (task) the operator believes it runs in. Default 0. */
  partition?: number;
  /** Watermark = max event time seen - this. Default 0. */
  maxOutOfOrdernessUs?: number;
  /** Processing time at start, µs. Default 0. */
  startProcessingTimeUs?: number;
  /** Event time of a record; default `record.packet.tsUs`, else `record.tsUs`, else none. */
  eventTimeUs?: (record: unknown) => number;
  topologyName?: string;
}

export interface RepartitionedSend {
  name: string;
  key: string;
  value: unknown;
}

/** The config did not pass the operator's configSchema. */
export class HarnessConfigError extends Error {
  constructor(readonly operator: string, readonly issues: string[]) {
    super(`invalid config for operator '${operator}': ${issues.join('; ')}`);
    this.name = 'HarnessConfigError';
  }
}

function defaultEventTime(record: unknown): number {
  if (typeof record !== 'object' || record === null) return -Infinity;
  const r = record as { packet?: { tsUs?: unknown }; tsUs?: unknown };
  if (typeof r.packet === 'object' && r.packet !== null && typeof r.packet.tsUs === 'number') return r.packet.tsUs;
  if (typeof r.tsUs === 'number') return r.tsUs;
  return -Infinity;
}

function syncResult(r: void | Promise<void>, what: string): void {
  if (r !== undefined) throw new Error(`${what} went asynchronous; use processBatch for async operators`);
}

export class OperatorHarness<In = unknown, Out = unknown> {
  readonly clock: ManualClock;
  readonly taskState: MemoryTaskState;
  readonly broadcasts = new InProcessBroadcastTables();
  /** Everything sent through ctx.repartition(...), in order (also delivered at once). */
  readonly repartitioned: RepartitionedSend[] = [];
  /** JSON log lines the operator wrote through ctx.log. */
  readonly logs: MemoryLogDestination = new MemoryLogDestination();
  readonly task: Task;
  readonly config: unknown;
  private readonly side = new Map<string, Array<{ key: string; value: unknown }>>();
  private pending: Out[] = [];
  private readonly eventTime: (record: unknown) => number;
  private readonly namespace: string;
  private readonly one = { keys: [''] as string[], values: [undefined] as unknown[], ts: [0] as number[] };

  private constructor(readonly definition: AnyOperatorDefinition, config: unknown, options: HarnessOptions) {
    const parsed = definition.configSchema.safeParse(config ?? {});
    if (!parsed.success) {
      throw new HarnessConfigError(definition.name, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
    }
    this.config = parsed.data;
    this.clock = new ManualClock(options.startProcessingTimeUs ?? 0);
    this.taskState = new MemoryTaskState(options.partition ?? 0, this.clock.nowUs() / 1000);
    this.eventTime = options.eventTimeUs ?? defaultEventTime;
    this.namespace = `${definition.name}/`;
    const outputs: SideOutputRouter = {
      emit: (stream, key, value) => {
        let list = this.side.get(stream);
        if (list === undefined) this.side.set(stream, (list = []));
        list.push({ key, value });
      },
    };
    const repartitions: RepartitionRouter = {
      send: (_from, operatorIndex, name, key, value) => {
        this.repartitioned.push({ name, key, value });
        this.task.deliverRepartitioned(operatorIndex, name, key, value);
      },
    };
    this.task = new Task({
      topologyName: options.topologyName ?? 'harness',
      partition: options.partition ?? 0,
      chain: [{ name: definition.name, definition, config: parsed.data, stateNamespace: this.namespace }],
      state: this.taskState,
      clock: this.clock,
      maxOutOfOrdernessUs: options.maxOutOfOrdernessUs ?? 0,
      outputs,
      repartitions,
      broadcasts: this.broadcasts,
      logger: createLogger({ level: 'debug', destination: this.logs }),
      onOutput: (_key, value) => this.pending.push(value as Out),
    });
  }

  static async create<C, I, O>(definition: OperatorDefinition<C, I, O>, config: unknown, options: HarnessOptions = {}): Promise<OperatorHarness<I, O>> {
    const h = new OperatorHarness<I, O>(definition as AnyOperatorDefinition, config, options);
    await h.task.open();
    return h;
  }

  /** Runs `record` through `process` (never processBatch); returns what it emitted, timer outputs included. */
  process(key: string, record: In): Out[] {
    this.taskState.setProcessingTimeMs(this.clock.nowUs() / 1000);
    const one = this.one;
    one.keys[0] = key;
    one.values[0] = record;
    one.ts[0] = this.eventTime(record);
    this.task.useProcessBatch = false;
    syncResult(this.task.runChunk(one.keys, one.values, one.ts, 1), 'process');
    return this.take();
  }

  /** Runs the records as one chunk, through `processBatch` when the operator has one. */
  async processBatch(keys: readonly string[], records: readonly In[]): Promise<Out[]> {
    if (keys.length !== records.length) throw new RangeError(`keys (${keys.length}) and records (${records.length}) differ in length`);
    this.taskState.setProcessingTimeMs(this.clock.nowUs() / 1000);
    const ts = records.map((r) => this.eventTime(r));
    this.task.useProcessBatch = true;
    await this.task.runChunk([...keys], [...records], ts, records.length);
    return this.take();
  }

  /** Moves the watermark to `timeUs` and returns what the due event-time timers emitted. */
  advanceWatermark(timeUs: number): Out[] {
    syncResult(this.task.advanceWatermark(timeUs), 'advanceWatermark');
    return this.take();
  }

  /** Sets processing time to `timeUs`, expires TTL state and returns what due processing timers emitted. */
  advanceProcessingTime(timeUs: number): Out[] {
    this.clock.setUs(timeUs);
    this.taskState.setProcessingTimeMs(timeUs / 1000);
    syncResult(this.task.advanceProcessingTime(timeUs), 'advanceProcessingTime');
    return this.take();
  }

  /** The value of the operator's state `stateName` for `key` (undefined when absent or expired). */
  state<T>(stateName: string, key: string): T | undefined {
    return this.taskState.get(this.namespace + stateName, key) as T | undefined;
  }

  /** Everything emitted to side output `stream` so far. */
  sideOutput(stream: string): Array<{ key: string; value: unknown }> {
    return this.side.get(stream) ?? [];
  }

  broadcastTable(name: string): Map<string, unknown> {
    return this.broadcasts.map(name);
  }

  get watermarkUs(): number {
    return this.task.watermarkUs;
  }

  get processingTimeUs(): number {
    return this.clock.nowUs();
  }

  /** Live timers of the operator, by domain. */
  timerCount(domain: 'event' | 'processing'): number {
    const t = this.task.timers[0];
    return domain === 'event' ? t.event.size : t.processing.size;
  }

  async close(): Promise<void> {
    await this.task.close();
  }

  private take(): Out[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
