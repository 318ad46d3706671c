/**
 * Keyed state backends. A task's working state always lives in process (a `TaskState`, fast
 * Map lookups on the hot path); the backend decides where checkpoints go (memory now, Redis
 * later), so operators never change when the backend does.
 */
import type { ValueStateOptions } from './keyed-state';

/** One (stateName, key) -> value cell, as written to and read from checkpoints. */
export interface StateEntry {
  state: string;
  key: string;
  /** Undefined when `deleted`. */
  value: unknown;
  /** True in a dirty-entry list when the cell was cleared or expired since the last checkpoint. */
  deleted?: boolean;
  /** Processing time of the last write, for TTL states (ms since the epoch). */
  writtenAtMs?: number;
}

/** One named state of one task: key -> value, with optional TTL. */
export interface StateTable<T> {
  readonly name: string;
  readonly ttlMs: number | undefined;
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  delete(key: string): void;
  /** Cells held, expired-but-not-yet-removed included. */
  readonly size: number;
}

/** The keyed state of one task (partition = key group, see key-group.ts). */
export interface TaskState {
  readonly partition: number;
  /** Declares (or returns) a named state. Declaring one name twice with different TTLs is an error. */
  table<T>(name: string, options?: ValueStateOptions): StateTable<T>;
  /** Processing time in ms that TTL writes and reads use; the runtime sets it per chunk. */
  setProcessingTimeMs(nowMs: number): void;
  /** Removes TTL cells not written for their TTL as of `nowMs`; returns how many went. */
  expire(nowMs: number): number;
  get(stateName: string, key: string): unknown;
  /** Cells written, cleared or expired since the last `clearDirty`. */
  dirtyEntries(): StateEntry[];
  clearDirty(): void;
  /** Every live cell. */
  snapshot(): StateEntry[];
  /** Replaces cells with these (deleted entries remove them); does not mark them dirty. */
  restore(entries: readonly StateEntry[]): void;
}

/** What a task writes at a checkpoint: its dirty cells and the input offset they cover, together. */
export interface Checkpoint {
  partition: number;
  /** Next input offset to read after a restore. */
  offset: number;
  entries: StateEntry[];
  takenAtMs: number;
}

export interface StateBackend {
  readonly kind: string;
  /** Working state of one task. */
  openTask(partition: number): TaskState;
  /** Applies the checkpoint's cells and offset atomically (all or nothing). */
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /** The full state and offset of the partition's last checkpoint, if any. */
  loadCheckpoint(partition: number): Promise<Checkpoint | undefined>;
  close(): Promise<void>;
}

/** A state name declared twice with different options, or similar misuse. */
export class StateError extends Error {
  constructor(message: string, readonly partition: number, readonly stateName: string) {
    super(`${message} (partition ${partition}, state '${stateName}')`);
    this.name = 'StateError';
  }
}
