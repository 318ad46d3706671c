/**
 * Keyed state as operators see it: handles declared once in `open()`, always scoped to the
 * key of the record (or timer) being processed. Never hold per-key data in operator fields:
 * only state reached through these handles is checkpointed and moves with its partition.
 */

/** One value per key. After mutating an object in place, call `set` again so it is checkpointed. */
export interface ValueState<T> {
  get(): T | undefined;
  set(value: T): void;
  clear(): void;
}

export interface ValueStateOptions {
  /** Drop the value when its key has not been written for this long (processing time). */
  ttlMs?: number;
}

/** What an operator's context gives it to declare keyed state. */
export interface KeyedStateStore {
  value<T>(name: string, options?: ValueStateOptions): ValueState<T>;
}
