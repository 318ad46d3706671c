/** Where a task sends what leaves its chain sideways: side outputs, repartitioned values, broadcast tables. */
import type { BroadcastTable } from '../../operators/contract';

export interface SideOutputRouter {
  emit(stream: string, key: string, value: unknown): void;
}

/** Routes `ctx.repartition(name).send(key, value)` to the task owning `key`, for operator `operatorIndex`. */
export interface RepartitionRouter {
  send(fromPartition: number, operatorIndex: number, name: string, key: string, value: unknown): void;
  /** Told once per operator and channel when an operator asks for `ctx.repartition(name)` (distributed mode creates its topic). */
  declare?(operatorIndex: number, name: string): void;
}

export interface BroadcastTables {
  table<T>(name: string): BroadcastTable<T>;
}

class MapBroadcastTable<T> implements BroadcastTable<T> {
  constructor(readonly map: Map<string, T>) {}

  get(key: string): T | undefined {
    return this.map.get(key);
  }

  put(key: string, value: T): void {
    this.map.set(key, value);
  }
}

/** Embedded mode: one Map per table name, shared by every task of the process. */
export class InProcessBroadcastTables implements BroadcastTables {
  private readonly tables = new Map<string, MapBroadcastTable<unknown>>();

  table<T>(name: string): BroadcastTable<T> {
    let t = this.tables.get(name);
    if (t === undefined) {
      t = new MapBroadcastTable<unknown>(new Map());
      this.tables.set(name, t);
    }
    return t as BroadcastTable<T>;
  }

  /** The Map behind a table (created empty if needed). */
  map(name: string): Map<string, unknown> {
    this.table(name);
    return (this.tables.get(name) as MapBroadcastTable<unknown>).map;
  }
}
