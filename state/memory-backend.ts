/** In-process keyed state: the default backend, and the working state every backend uses. */
import type { ValueStateOptions } from './keyed-state';
import { StateError, type Checkpoint, type StateBackend, type StateEntry, type StateTable, type TaskState } from './backend';

/** Shared by the tables of one task so one assignment updates all their clocks. */
interface ProcessingClock {
  nowMs: number;
}

/** One key's cell: allocated once per key, updated in place by writes. */
interface Cell<T> {
  value: T;
  /** Processing time of the last write (ms). */
  at: number;
  /** Already listed in the table's dirty keys since the last clearDirty. */
  dirty: boolean;
  /** Deleted or expired: a stale entry in the TTL queue skips it. */
  removed: boolean;
}

/**
 * One named state of one task. Writes update the key's cell in place (no Map re-insertion, no
 * allocation after the key's first write). TTL: cells are queued by time of queueing; expiry pops
 * the queue head while it is older than the TTL and either removes the cell or, if it was
 * written since, queues it again. Reads check the write time themselves, so they are exact; the
 * removal itself may lag a rewritten cell's expiry by up to one TTL.
 */
class MemoryStateTable<T> implements StateTable<T> {
  readonly cells = new Map<string, Cell<T>>();
  private dirtyKeys: string[] = [];
  private qCells: Cell<T>[] = [];
  private qKeys: string[] = [];
  private qAt: number[] = [];
  private qHead = 0;

  constructor(readonly name: string, readonly ttlMs: number | undefined, private readonly clock: ProcessingClock) {}

  get size(): number {
    return this.cells.size;
  }

  get(key: string): T | undefined {
    const c = this.cells.get(key);
    if (c === undefined) return undefined;
    if (this.ttlMs !== undefined && this.clock.nowMs - c.at >= this.ttlMs) return undefined;
    return c.value;
  }

  set(key: string, value: T): void {
    const c = this.cells.get(key);
    if (c !== undefined) {
      c.value = value;
      c.at = this.clock.nowMs;
      if (!c.dirty) {
        c.dirty = true;
        this.dirtyKeys.push(key);
      }
      return;
    }
    const cell: Cell<T> = { value, at: this.clock.nowMs, dirty: true, removed: false };
    this.cells.set(key, cell);
    this.dirtyKeys.push(key);
    if (this.ttlMs !== undefined) this.enqueue(key, cell, this.clock.nowMs);
  }

  delete(key: string): void {
    const c = this.cells.get(key);
    if (c === undefined) return;
    this.cells.delete(key);
    c.removed = true;
    this.dirtyKeys.push(key);
  }

  expire(nowMs: number): number {
    const ttl = this.ttlMs;
    if (ttl === undefined) return 0;
    let n = 0;
    while (this.qHead < this.qCells.length && nowMs - this.qAt[this.qHead] >= ttl) {
      const c = this.qCells[this.qHead];
      const key = this.qKeys[this.qHead];
      this.qCells[this.qHead] = undefined as unknown as Cell<T>;
      this.qHead++;
      if (c.removed) continue;
      if (nowMs - c.at >= ttl) {
        this.cells.delete(key);
        c.removed = true;
        this.dirtyKeys.push(key);
        n++;
      } else {
        this.enqueue(key, c, nowMs);
      }
    }
    if (this.qHead > 1024 && this.qHead * 2 > this.qCells.length) this.compactQueue();
    return n;
  }

  restoreCell(e: StateEntry): void {
    if (e.deleted) {
      const c = this.cells.get(e.key);
      if (c !== undefined) {
        c.removed = true;
        this.cells.delete(e.key);
      }
      return;
    }
    const at = e.writtenAtMs ?? this.clock.nowMs;
    const c = this.cells.get(e.key);
    if (c !== undefined) {
      c.value = e.value as T;
      c.at = at;
      return;
    }
    const cell: Cell<T> = { value: e.value as T, at, dirty: false, removed: false };
    this.cells.set(e.key, cell);
    if (this.ttlMs !== undefined) this.enqueue(e.key, cell, Math.min(at, this.clock.nowMs));
  }

  dirtyEntries(out: StateEntry[]): void {
    const seen = new Set<string>();
    for (const key of this.dirtyKeys) {
      if (seen.has(key)) continue;
      seen.add(key);
      const c = this.cells.get(key);
      out.push(c === undefined ? { state: this.name, key, value: undefined, deleted: true } : this.entry(key, c));
    }
  }

  clearDirty(): void {
    for (const key of this.dirtyKeys) {
      const c = this.cells.get(key);
      if (c !== undefined) c.dirty = false;
    }
    this.dirtyKeys = [];
  }

  entry(key: string, c: Cell<T>): StateEntry {
    const e: StateEntry = { state: this.name, key, value: c.value };
    if (this.ttlMs !== undefined) e.writtenAtMs = c.at;
    return e;
  }

  private enqueue(key: string, c: Cell<T>, atMs: number): void {
    this.qCells.push(c);
    this.qKeys.push(key);
    this.qAt.push(atMs);
  }

  private compactQueue(): void {
    this.qCells = this.qCells.slice(this.qHead);
    this.qKeys = this.qKeys.slice(this.qHead);
    this.qAt = this.qAt.slice(this.qHead);
    this.qHead = 0;
  }
}

/** The keyed state of one task, in Maps: Map<stateName, Map<key, value>>. */
export class MemoryTaskState implements TaskState {
  private readonly tables = new Map<string, MemoryStateTable<unknown>>();
  private readonly declared = new Set<string>();
  private readonly clock: ProcessingClock = { nowMs: 0 };

  constructor(readonly partition: number, nowMs = Date.now()) {
    this.clock.nowMs = nowMs;
  }

  table<T>(name: string, options?: ValueStateOptions): StateTable<T> {
    const ttlMs = options?.ttlMs;
    if (ttlMs !== undefined && !(ttlMs > 0)) throw new StateError(`ttlMs must be > 0, got ${ttlMs}`, this.partition, name);
    const existing = this.tables.get(name);
    if (existing !== undefined && this.declared.has(name)) {
      if (existing.ttlMs !== ttlMs) {
        throw new StateError(`state declared with ttlMs ${String(ttlMs)} but already declared with ${String(existing.ttlMs)}`, this.partition, name);
      }
      return existing as StateTable<T>;
    }
    // A restore may have created the table before `open()` declares it: adopt the declared TTL.
    const t = new MemoryStateTable<unknown>(name, ttlMs, this.clock);
    if (existing !== undefined) {
      for (const [k, c] of existing.cells) t.restoreCell({ state: name, key: k, value: c.value, writtenAtMs: c.at });
    }
    this.tables.set(name, t);
    this.declared.add(name);
    return t as StateTable<T>;
  }

  setProcessingTimeMs(nowMs: number): void {
    this.clock.nowMs = nowMs;
  }

  expire(nowMs: number): number {
    this.clock.nowMs = nowMs;
    let n = 0;
    for (const t of this.tables.values()) n += t.expire(nowMs);
    return n;
  }

  get(stateName: string, key: string): unknown {
    return this.tables.get(stateName)?.get(key);
  }

  dirtyEntries(): StateEntry[] {
    const out: StateEntry[] = [];
    for (const t of this.tables.values()) t.dirtyEntries(out);
    return out;
  }

  clearDirty(): void {
    for (const t of this.tables.values()) t.clearDirty();
  }

  snapshot(): StateEntry[] {
    const out: StateEntry[] = [];
    for (const t of this.tables.values()) for (const [k, c] of t.cells) out.push(t.entry(k, c));
    return out;
  }

  restore(entries: readonly StateEntry[]): void {
    for (const e of entries) {
      let t = this.tables.get(e.state);
      if (t === undefined) {
        // Undeclared until `open()` runs; keep write times so the declared TTL applies to them.
        t = new MemoryStateTable<unknown>(e.state, e.writtenAtMs === undefined ? undefined : Number.MAX_SAFE_INTEGER, this.clock);
        this.tables.set(e.state, t);
      }
      t.restoreCell(e);
    }
  }

  /** Names of the declared (or restored) states, for tests and diagnostics. */
  stateNames(): string[] {
    return [...this.tables.keys()];
  }
}

/** Memory state with checkpoints kept in this process (lost with it): for embedded runs and tests. */
export class MemoryStateBackend implements StateBackend {
  readonly kind = 'memory';
  private readonly checkpoints = new Map<number, { offset: number; cells: Map<string, StateEntry>; takenAtMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  openTask(partition: number): TaskState {
    return new MemoryTaskState(partition, this.now());
  }

  /**
   * Applies the dirty cells in place (Map writes cannot fail half-way). Values are kept by
   * reference, not copied: this backend lives and dies with the process, so a checkpoint here only
   * has to be consistent with the offset, not survive later in-place mutation by operators.
   */
  async saveCheckpoint(cp: Checkpoint): Promise<void> {
    let stored = this.checkpoints.get(cp.partition);
    if (stored === undefined) {
      stored = { offset: 0, cells: new Map(), takenAtMs: 0 };
      this.checkpoints.set(cp.partition, stored);
    }
    for (const e of cp.entries) {
      const id = `${e.state}\u0000${e.key}`;
      if (e.deleted) stored.cells.delete(id);
      else stored.cells.set(id, e);
    }
    stored.offset = cp.offset;
    stored.takenAtMs = cp.takenAtMs;
  }

  async loadCheckpoint(partition: number): Promise<Checkpoint | undefined> {
    const s = this.checkpoints.get(partition);
    if (s === undefined) return undefined;
    return { partition, offset: s.offset, entries: [...s.cells.values()].map((e) => ({ ...e })), takenAtMs: s.takenAtMs };
  }

  async close(): Promise<void> {
    this.checkpoints.clear();
  }
}
