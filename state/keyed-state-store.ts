/**
 * The `KeyedStateStore` operators get from their context: value handles bound to the task's
 * current key. A handle caches its table, so get/set is one Map lookup and allocates nothing.
 */
import type { KeyedStateStore, ValueState, ValueStateOptions } from './keyed-state';
import type { StateTable, TaskState } from './backend';

/** Where the runtime writes the key of the record or timer being processed. One per task. */
export interface KeyCursor {
  currentKey: string;
}

class TableValueState<T> implements ValueState<T> {
  constructor(private readonly table: StateTable<T>, private readonly cursor: KeyCursor) {}

  get(): T | undefined {
    return this.table.get(this.cursor.currentKey);
  }

  set(value: T): void {
    this.table.set(this.cursor.currentKey, value);
  }

  clear(): void {
    this.table.delete(this.cursor.currentKey);
  }
}

/**
 * Scopes one operator's state names under `namespace` (e.g. `window/`), so two operators of a
 * chain may both call their state "count" without sharing it.
 */
export class TaskKeyedStateStore implements KeyedStateStore {
  constructor(private readonly state: TaskState, private readonly cursor: KeyCursor, readonly namespace: string = '') {}

  value<T>(name: string, options?: ValueStateOptions): ValueState<T> {
    return new TableValueState<T>(this.state.table<T>(this.namespace + name, options), this.cursor);
  }

  /** Full state name as stored in the task state and checkpoints. */
  qualifiedName(name: string): string {
    return this.namespace + name;
  }
}
