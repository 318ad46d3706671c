/**
 * A task: one partition's chain of operator instances, run stage-major (a whole chunk through
 * operator 1, then operator 2, ...). Each value carries the watermark in effect when it entered
 * its stage, so an operator fires its event-time timers at the right place in its input, as if the
 * watermark travelled down the chain with the records (Flink's semantics), without a Promise or
 * an object per record. The same class runs under the runtime and under the operator test harness.
 */
import type { Operator, OperatorContext, Timer } from '../../operators/contract';
import type { AnyOperatorDefinition } from '../../operators/registry';
import type { TaskState } from '../../state/backend';
import { TaskKeyedStateStore, type KeyCursor } from '../../state/keyed-state-store';
import { operatorLogger, type RuntimeLogger } from '../log';
import type { Clock } from './clock';
import { OperatorTimers, TaskOperatorContext } from './operator-context';
import type { BroadcastTables, RepartitionRouter, SideOutputRouter } from './routing';
import { StageBuffer } from './stage-buffer';

/** One operator of a planned chain. */
export interface ChainLink {
  /** Name in the topology (the definition's name). */
  name: string;
  definition: AnyOperatorDefinition;
  /** Config already parsed by the definition's configSchema. */
  config: unknown;
  /** Prefix of this operator's state names, unique within the chain (e.g. "window/"). */
  stateNamespace: string;
}

export interface TaskOptions {
  topologyName: string;
  partition: number;
  chain: readonly ChainLink[];
  state: TaskState;
  clock: Clock;
  maxOutOfOrdernessUs: number;
  outputs: SideOutputRouter;
  repartitions: RepartitionRouter;
  broadcasts: BroadcastTables;
  logger: RuntimeLogger;
  /** Receives the last operator's main output, in order. */
  onOutput?: (key: string, value: unknown) => void;
  /** Use `processBatch` where an operator has it (default true). */
  useProcessBatch?: boolean;
}

export interface OperatorStats {
  name: string;
  recordsIn: number;
  recordsOut: number;
  timersFired: number;
  /** Time spent in the operator (process, processBatch, onTimer), milliseconds. */
  timeMs: number;
}

/** An operator threw: which one, in which task, on which key. */
export class OperatorError extends Error {
  constructor(readonly operator: string, readonly partition: number, readonly key: string, override readonly cause: unknown) {
    super(`operator '${operator}' failed in partition ${partition} on key '${key}': ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'OperatorError';
  }
}

/** Timers that keep re-arming at +inf would never end the run. */
const MAX_TIMERS_PER_ADVANCE = 50_000_000;

function isPromise(v: unknown): v is Promise<void> {
  return typeof v === 'object' && v !== null && typeof (v as Promise<void>).then === 'function';
}

export class Task {
  readonly partition: number;
  readonly cursor: KeyCursor = { currentKey: '' };
  readonly operators: Operator<unknown, unknown>[];
  readonly contexts: TaskOperatorContext[];
  readonly timers: OperatorTimers[];
  readonly stats: OperatorStats[];
  readonly state: TaskState;
  /** performance.now() when each operator last started and finished a stage (read by packet tracing). */
  readonly stageStartMs: Float64Array;
  readonly stageEndMs: Float64Array;
  /** Highest event time seen by this task (µs). */
  maxEventTimeUs = -Infinity;
  private readonly buffers: StageBuffer[];
  private readonly chunkWms: number[] = [];
  private readonly ooo: number;
  private readonly onOutput: ((key: string, value: unknown) => void) | undefined;
  /** Use processBatch where an operator has it; the harness switches it per call. */
  useProcessBatch: boolean;
  private readonly clock: Clock;
  private readonly log: RuntimeLogger;
  private opened = false;
  private closed = false;

  constructor(private readonly opts: TaskOptions) {
    this.partition = opts.partition;
    this.state = opts.state;
    this.ooo = opts.maxOutOfOrdernessUs;
    this.onOutput = opts.onOutput;
    this.useProcessBatch = opts.useProcessBatch ?? true;
    this.clock = opts.clock;
    this.log = opts.logger.child({ topology: opts.topologyName, partition: opts.partition });
    this.operators = [];
    this.contexts = [];
    this.timers = [];
    this.stats = [];
    this.buffers = [];
    this.stageStartMs = new Float64Array(opts.chain.length);
    this.stageEndMs = new Float64Array(opts.chain.length);
    opts.chain.forEach((link, i) => {
      const timers = new OperatorTimers(this.cursor, opts.clock);
      this.timers.push(timers);
      this.contexts.push(new TaskOperatorContext({
        topologyName: opts.topologyName,
        operatorName: link.name,
        operatorIndex: i,
        partition: opts.partition,
        cursor: this.cursor,
        state: new TaskKeyedStateStore(opts.state, this.cursor, link.stateNamespace),
        timers,
        outputs: opts.outputs,
        repartitions: opts.repartitions,
        broadcasts: opts.broadcasts,
        log: operatorLogger(this.log.child({ operator: link.name })),
      }));
      this.operators.push(link.definition.create(link.config) as Operator<unknown, unknown>);
      this.stats.push({ name: link.name, recordsIn: 0, recordsOut: 0, timersFired: 0, timeMs: 0 });
      this.buffers.push(new StageBuffer());
    });
  }

  /** The task's watermark: max event time seen minus the allowed out-of-orderness. */
  get watermarkUs(): number {
    return this.timers.length > 0 ? this.timers[this.timers.length - 1].watermarkUs : this.maxEventTimeUs - this.ooo;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    this.state.setProcessingTimeMs(this.clock.nowUs() / 1000);
    for (let i = 0; i < this.operators.length; i++) {
      this.cursor.currentKey = '';
      try {
        await this.operators[i].open(this.contexts[i]);
      } catch (err) {
        throw new OperatorError(this.opts.chain[i].name, this.partition, '', err);
      }
    }
    this.opened = true;
  }

  /**
   * Runs `n` records through the chain. `tsUs[i]` is the event time of `values[i]` (-Infinity
   * when unknown: it does not move the watermark). Returns a Promise only when an operator's
   * processBatch did.
   */
  runChunk(keys: readonly string[], values: readonly unknown[], tsUs: ArrayLike<number>, n: number): void | Promise<void> {
    const w = this.chunkWms;
    let max = this.maxEventTimeUs;
    for (let j = 0; j < n; j++) {
      const t = tsUs[j];
      if (t > max) max = t;
      w[j] = max - this.ooo;
    }
    this.maxEventTimeUs = max;
    return this.runStages(0, keys, values, w, n, max - this.ooo, undefined);
  }

  /**
   * Moves the watermark to `watermarkUs` (never back) and fires the event-time timers it passes;
   * at the same watermark it fires timers registered since in the past (e.g. again at +inf).
   */
  advanceWatermark(watermarkUs: number): void | Promise<void> {
    if (watermarkUs < this.watermarkUs) return undefined;
    return this.runStages(0, [], [], [], 0, watermarkUs, undefined);
  }

  /** Fires processing-time timers due at `nowUs` and expires TTL state. */
  advanceProcessingTime(nowUs: number): void | Promise<void> {
    this.state.expire(nowUs / 1000);
    if (this.nextProcessingTimerUs() > nowUs) return undefined;
    const wm = this.watermarkUs;
    return this.runStages(0, [], [], [], 0, wm, nowUs);
  }

  /** Earliest processing-time timer of any operator, or +Infinity. */
  nextProcessingTimerUs(): number {
    let t = Infinity;
    for (const tm of this.timers) {
      const x = tm.processing.peekTimeUs();
      if (x < t) t = x;
    }
    return t;
  }

  /** Hands a repartitioned value to operator `operatorIndex` with the cursor on `key`. */
  deliverRepartitioned(operatorIndex: number, name: string, key: string, value: unknown): void {
    const op = this.operators[operatorIndex];
    if (op.onRepartitioned === undefined) return;
    const saved = this.cursor.currentKey;
    this.cursor.currentKey = key;
    try {
      op.onRepartitioned(name, value, this.contexts[operatorIndex]);
    } catch (err) {
      throw new OperatorError(this.opts.chain[operatorIndex].name, this.partition, key, err);
    } finally {
      this.cursor.currentKey = saved;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let i = 0; i < this.operators.length; i++) {
      try {
        await this.operators[i].close?.();
      } catch (err) {
        throw new OperatorError(this.opts.chain[i].name, this.partition, '', err);
      }
    }
  }

  context(operatorIndex: number): OperatorContext {
    return this.contexts[operatorIndex];
  }

  private runStages(from: number, k: readonly string[], v: readonly unknown[], w: readonly number[], n: number, endWm: number, procNowUs: number | undefined): void | Promise<void> {
    for (let i = from; i < this.operators.length; i++) {
      const r = this.runStage(i, k, v, w, n, endWm, procNowUs);
      const b = this.buffers[i];
      if (r !== undefined) return r.then(() => this.runStages(i + 1, b.keys, b.values, b.wms, b.n, endWm, procNowUs));
      k = b.keys;
      v = b.values;
      w = b.wms;
      n = b.n;
    }
    const onOutput = this.onOutput;
    if (onOutput !== undefined) for (let j = 0; j < n; j++) onOutput(k[j], v[j]);
    return undefined;
  }

  private runStage(i: number, k: readonly string[], v: readonly unknown[], w: readonly number[], n: number, endWm: number, procNowUs: number | undefined): void | Promise<void> {
    const op = this.operators[i];
    const ctx = this.contexts[i];
    const out = this.buffers[i];
    const tm = this.timers[i];
    const t0 = performance.now();
    this.stageStartMs[i] = t0;
    out.reset();
    try {
      if (procNowUs !== undefined) this.fireProcessingTimers(i, procNowUs);
      if (this.useProcessBatch && op.processBatch !== undefined && n > 0) return this.runBatchStage(i, k, v, w, n, endWm, t0);
      const cursor = this.cursor;
      for (let j = 0; j < n; j++) {
        const wm = w[j];
        if (wm > tm.watermarkUs) this.fireEventTimers(i, wm);
        const key = k[j];
        cursor.currentKey = key;
        out.key = key;
        out.wm = tm.watermarkUs;
        op.process(v[j], ctx, out);
      }
      if (endWm >= tm.watermarkUs) this.fireEventTimers(i, endWm);
    } catch (err) {
      throw this.wrap(err, i);
    }
    const st = this.stats[i];
    st.recordsIn += n;
    st.recordsOut += out.n;
    const t1 = performance.now();
    st.timeMs += t1 - t0;
    this.stageEndMs[i] = t1;
    return undefined;
  }

  /**
   * processBatch gets the chunk in segments cut where one of its event-time timers falls due,
   * so its timers still fire between the records around the watermark that passes them.
   */
  private runBatchStage(i: number, k: readonly string[], v: readonly unknown[], w: readonly number[], n: number, endWm: number, t0: number): void | Promise<void> {
    const op = this.operators[i];
    const ctx = this.contexts[i];
    const out = this.buffers[i];
    const tm = this.timers[i];
    let s = 0;
    const step = (): void | Promise<void> => {
      while (s < n) {
        if (w[s] > tm.watermarkUs) this.fireEventTimers(i, w[s]);
        const nextTimer = tm.event.peekTimeUs();
        let e = s + 1;
        while (e < n && !(w[e] > tm.watermarkUs && nextTimer <= w[e])) e++;
        const whole = s === 0 && e === n && v.length === n && k.length === n;
        const recs = whole ? v : v.slice(s, e);
        const keys = whole ? k : k.slice(s, e);
        out.wm = tm.watermarkUs;
        out.key = keys[0];
        this.cursor.currentKey = keys[0];
        out.beginBatch(recs, keys);
        s = e;
        const r = (op.processBatch as NonNullable<typeof op.processBatch>)(recs, keys, ctx, out);
        if (isPromise(r)) {
          return r.then(() => {
            out.endBatch();
            return step();
          }, (err: unknown) => {
            out.endBatch();
            throw this.wrap(err, i);
          });
        }
        out.endBatch();
      }
      if (endWm >= tm.watermarkUs) this.fireEventTimers(i, endWm);
      const st = this.stats[i];
      st.recordsIn += n;
      st.recordsOut += out.n;
      const t1 = performance.now();
      st.timeMs += t1 - t0;
      this.stageEndMs[i] = t1;
      return undefined;
    };
    return step();
  }

  private fireEventTimers(i: number, wm: number): void {
    const tm = this.timers[i];
    tm.watermarkUs = wm;
    const op = this.operators[i];
    const q = tm.event;
    let fired = 0;
    for (let e = q.pollDue(wm); e !== undefined; e = q.pollDue(wm)) {
      if (op.onTimer !== undefined) this.fireOne(i, e, op);
      if (++fired > MAX_TIMERS_PER_ADVANCE) throw new Error(`more than ${MAX_TIMERS_PER_ADVANCE} event timers fired for one watermark; an onTimer keeps re-registering`);
    }
    this.stats[i].timersFired += fired;
  }

  private fireProcessingTimers(i: number, nowUs: number): void {
    const tm = this.timers[i];
    const op = this.operators[i];
    const q = tm.processing;
    let fired = 0;
    for (let e = q.pollDue(nowUs); e !== undefined; e = q.pollDue(nowUs)) {
      if (op.onTimer !== undefined) this.fireOne(i, e, op);
      if (++fired > MAX_TIMERS_PER_ADVANCE) throw new Error(`more than ${MAX_TIMERS_PER_ADVANCE} processing timers fired at once; an onTimer keeps re-registering`);
    }
    this.stats[i].timersFired += fired;
  }

  private fireOne(i: number, timer: Timer, op: Operator<unknown, unknown>): void {
    const out = this.buffers[i];
    this.cursor.currentKey = timer.key;
    out.key = timer.key;
    out.wm = this.timers[i].watermarkUs;
    (op.onTimer as NonNullable<typeof op.onTimer>)(timer, this.contexts[i], out);
  }

  private wrap(err: unknown, i: number): Error {
    if (err instanceof OperatorError) return err;
    return new OperatorError(this.opts.chain[i].name, this.partition, this.cursor.currentKey, err);
  }
}
