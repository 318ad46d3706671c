/**
 * The context each operator instance gets: the task's key cursor, keyed state under the
 * operator's namespace, its own timers, and the task's routers. One object per operator per
 * task, built once at open; nothing here allocates per record.
 */
import type {
  BroadcastTable,
  OperatorContext,
  OperatorLogger,
  RepartitionChannel,
  SideOutputs,
  TimerService,
} from '../../operators/contract';
import type { KeyCursor } from '../../state/keyed-state-store';
import type { KeyedStateStore } from '../../state/keyed-state';
import type { Clock } from './clock';
import type { BroadcastTables, RepartitionRouter } from './routing';
import { TimerQueue } from './timer-queue';

/** Event- and processing-time timers of one operator in one task. */
export class OperatorTimers implements TimerService {
  readonly event = new TimerQueue('event');
  readonly processing = new TimerQueue('processing');
  /** This operator's watermark: where the task's watermark has reached in the chain. */
  watermarkUs = -Infinity;

  constructor(private readonly cursor: KeyCursor, private readonly clock: Clock) {}

  registerEventTimeTimer(timeUs: number, tag = ''): void {
    this.event.register(this.cursor.currentKey, timeUs, tag);
  }

  registerProcessingTimeTimer(timeUs: number, tag = ''): void {
    this.processing.register(this.cursor.currentKey, timeUs, tag);
  }

  deleteEventTimeTimer(timeUs: number, tag = ''): void {
    this.event.delete(this.cursor.currentKey, timeUs, tag);
  }

  deleteProcessingTimeTimer(timeUs: number, tag = ''): void {
    this.processing.delete(this.cursor.currentKey, timeUs, tag);
  }

  currentWatermarkUs(): number {
    return this.watermarkUs;
  }

  currentProcessingTimeUs(): number {
    return this.clock.nowUs();
  }
}

class Channel<T> implements RepartitionChannel<T> {
  constructor(private readonly router: RepartitionRouter, private readonly partition: number, private readonly operatorIndex: number, private readonly name: string) {}

  send(key: string, value: T): void {
    this.router.send(this.partition, this.operatorIndex, this.name, key, value);
  }
}

export interface OperatorContextParts {
  topologyName: string;
  operatorName: string;
  operatorIndex: number;
  partition: number;
  cursor: KeyCursor;
  state: KeyedStateStore;
  timers: OperatorTimers;
  outputs: SideOutputs;
  repartitions: RepartitionRouter;
  broadcasts: BroadcastTables;
  log: OperatorLogger;
}

export class TaskOperatorContext implements OperatorContext {
  readonly topologyName: string;
  readonly operatorName: string;
  readonly operatorIndex: number;
  readonly partition: number;
  readonly state: KeyedStateStore;
  readonly timers: OperatorTimers;
  readonly outputs: SideOutputs;
  readonly log: OperatorLogger;
  private readonly cursor: KeyCursor;
  private readonly repartitions: RepartitionRouter;
  private readonly broadcasts: BroadcastTables;
  private readonly channels = new Map<string, Channel<unknown>>();

  constructor(p: OperatorContextParts) {
    this.topologyName = p.topologyName;
    this.operatorName = p.operatorName;
    this.operatorIndex = p.operatorIndex;
    this.partition = p.partition;
    this.cursor = p.cursor;
    this.state = p.state;
    this.timers = p.timers;
    this.outputs = p.outputs;
    this.log = p.log;
    this.repartitions = p.repartitions;
    this.broadcasts = p.broadcasts;
  }

  get currentKey(): string {
    return this.cursor.currentKey;
  }

  /** For processBatch: moves the task's key cursor, so state and timers act for `key`. */
  setCurrentKey(key: string): void {
    this.cursor.currentKey = key;
  }

  repartition<T>(name: string): RepartitionChannel<T> {
    let c = this.channels.get(name);
    if (c === undefined) {
      c = new Channel<unknown>(this.repartitions, this.partition, this.operatorIndex, name);
      this.channels.set(name, c);
      this.repartitions.declare?.(this.operatorIndex, name);
    }
    return c as RepartitionChannel<T>;
  }

  broadcast<T>(name: string): BroadcastTable<T> {
    return this.broadcasts.table<T>(name);
  }
}
