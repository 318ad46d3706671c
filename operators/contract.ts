/**
 * The operator contract: what a data engineer implements to add an operator.
 * One file in operators/ exports an `OperatorDefinition`; the registry finds it by its name,
 * and a topology file uses it with `- { use: <name>, ...config }`. Nothing in topology/ changes.
 */
import type { ZodType, ZodTypeDef } from 'zod';
import type { KeyedStateStore } from '../state/keyed-state';

/** Receives an operator's main output, in order. Reused across records: do not keep it. */
export interface Collector<T> {
  collect(record: T): void;
}

export type TimeDomain = 'event' | 'processing';

/** A timer that fired, for the key that registered it. */
export interface Timer {
  key: string;
  /** Event time (watermark-driven) or processing time, microseconds since the epoch. */
  timeUs: number;
  domain: TimeDomain;
  /** Free tag the operator gave when registering, so one operator can tell its timers apart. */
  tag: string;
}

export interface TimerService {
  /** Fires once the watermark passes `timeUs`, for the current key. Same (key, time, tag) is registered once. */
  registerEventTimeTimer(timeUs: number, tag?: string): void;
  /** Fires once wall-clock time passes `timeUs`, for the current key. */
  registerProcessingTimeTimer(timeUs: number, tag?: string): void;
  deleteEventTimeTimer(timeUs: number, tag?: string): void;
  deleteProcessingTimeTimer(timeUs: number, tag?: string): void;
  /** Event-time watermark of this task: max event time seen minus the allowed out-of-orderness. */
  currentWatermarkUs(): number;
  currentProcessingTimeUs(): number;
}

/** Named streams beside the main output (`anomalies`, `mitigations`, `forensics`, ...), routed to sinks. */
export interface SideOutputs {
  emit(stream: string, key: string, value: unknown): void;
}

/**
 * Re-keying: values sent here are routed by `key` (murmur2, like Kafka) to the task that owns that
 * key in an internal stream (an in-process log in embedded mode, a repartition topic on Kafka),
 * and handed to the same operator's `onRepartitioned` there, with keyed state scoped to that key.
 */
export interface RepartitionChannel<T> {
  send(key: string, value: T): void;
}

/**
 * A table every task of the topology can read, written by the tasks that own its keys
 * (Kafka Streams' GlobalKTable). Reads may lag writes by one delivery round.
 */
export interface BroadcastTable<T> {
  get(key: string): T | undefined;
  put(key: string, value: T): void;
}

export interface OperatorLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface OperatorContext {
  /** Name of the topology, for logs and resource names. */
  readonly topologyName: string;
  /** Position of this operator in the chain, and the name it was used with. */
  readonly operatorName: string;
  /** Partition (= task) this operator instance runs in. */
  readonly partition: number;
  /** Key of the record or timer being processed. Set by the runtime. */
  readonly currentKey: string;
  readonly state: KeyedStateStore;
  readonly timers: TimerService;
  readonly outputs: SideOutputs;
  repartition<T>(name: string): RepartitionChannel<T>;
  broadcast<T>(name: string): BroadcastTable<T>;
  readonly log: OperatorLogger;
  /**
   * processBatch only: scopes `state`, `timers` and `currentKey` to `key` (one of the chunk's
   * keys), so a batching operator can read and write each record's keyed state. Optional so that
   * test doubles of the context need not have it; the runtime's context implements it.
   */
  setCurrentKey?(key: string): void;
}

export type MaybePromise<T> = T | Promise<T>;

export interface Operator<In, Out> {
  open(ctx: OperatorContext): MaybePromise<void>;
  /** Called per record with ctx.currentKey set to the record's key. */
  process(record: In, ctx: OperatorContext, out: Collector<Out>): void;
  /**
   * Optional batch form, used instead of `process` when present: the runtime hands a chunk of
   * records from the mailbox (in arrival order) so a batching operator (predict) can make one call.
   * It must emit outputs so that per-key order is preserved. `keys[i]` is the key of `records[i]`.
   */
  processBatch?(records: readonly In[], keys: readonly string[], ctx: OperatorContext, out: Collector<Out>): MaybePromise<void>;
  onTimer?(timer: Timer, ctx: OperatorContext, out: Collector<Out>): void;
  /** Values sent to `ctx.repartition(name)` by any task, delivered to the task that owns `ctx.currentKey`. */
  onRepartitioned?(name: string, value: unknown, ctx: OperatorContext): void;
  close?(): MaybePromise<void>;
}

/** What an operator file exports. `configSchema` validates the topology file's entry (less `use`). */
export interface OperatorDefinition<Config = unknown, In = unknown, Out = unknown> {
  name: string;
  /** One paragraph for `prescient operators` and the docs. */
  description: string;
  configSchema: ZodType<Config, ZodTypeDef, unknown>;
  create(config: Config): Operator<In, Out>;
}
