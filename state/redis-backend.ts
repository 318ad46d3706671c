/**
 * Redis as the checkpoint store of keyed state. Working state stays in task memory
 * (MemoryTaskState: a Redis round trip per packet would cap throughput near 48k ops/s); a
 * checkpoint writes the dirty cells and the input offset they cover in one Lua script
 * (lua/checkpoint.lua), and restore reads cells and offset in one MULTI, so both are atomic.
 *
 * Layout per key group (= partition), in one hash slot thanks to the {tag}:
 *   <prefix>:{<ns>:<p>}:cells   hash  "<state>\0<key>" -> {"v": value, "w": writtenAtMs}
 *   <prefix>:{<ns>:<p>}:meta    hash  offset, takenAtMs, epoch
 *   <prefix>:{<ns>:<p>}:expiry  zset  field -> expire-at ms (TTL states only)
 * Fencing: restore(p) claims the partition (epoch + 1); later checkpoints of an older owner of
 * that partition are refused with CheckpointFencedError, so a slow, revoked task cannot
 * overwrite its successor's state.
 */
import Redis, { type RedisOptions } from 'ioredis';
import type { ValueStateOptions } from './keyed-state';
import type { Checkpoint, StateBackend, StateEntry, StateTable, TaskState } from './backend';
import { MemoryTaskState } from './memory-backend';
import { readLuaScript } from './lua-scripts';
import { CheckpointFencedError, RedisUnavailableError, StoredStateError } from './redis-errors';
import { decodeStateCell, encodeStateCell } from './redis-value-codec';

export interface RedisStateBackendOptions {
  /** redis://host:port[/db] */
  url: string;
  /** Separates jobs sharing one Redis (e.g. the topology name or consumer group). */
  namespace: string;
  /** Default 'prescient'. */
  keyPrefix?: string;
  /** TTL by state name, for states whose TTL a task of this backend has not declared. */
  stateTtlMs?: Record<string, number>;
  /** Whole key group removed from Redis after this long with no checkpoint (default: never). */
  idleKeyGroupTtlMs?: number;
  /** Bound on the first connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Reconnect attempts a command waits through before failing (default 20, ~15 s). */
  maxRetriesPerRequest?: number;
  now?: () => number;
}

interface CheckpointCommand {
  prescientCheckpoint(cells: string, meta: string, expiry: string, ...args: string[]): Promise<[number, number, number]>;
}

/** MemoryTaskState that tells its backend each state's TTL, so Redis can expire cells too. */
class TtlReportingTaskState extends MemoryTaskState {
  constructor(partition: number, nowMs: number, private readonly report: (name: string, ttlMs: number | undefined) => void) {
    super(partition, nowMs);
  }

  override table<T>(name: string, options?: ValueStateOptions): StateTable<T> {
    const t = super.table<T>(name, options);
    this.report(name, options?.ttlMs);
    return t;
  }
}

/** Counts returned by the checkpoint script. */
export interface CheckpointResult {
  written: number;
  deleted: number;
  expired: number;
}

export class RedisStateBackend implements StateBackend {
  readonly kind = 'redis';
  readonly url: string;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlByState = new Map<string, number>();
  /** Epoch this backend holds per partition after restore(); absent = unfenced writes. */
  private readonly epochs = new Map<number, number>();
  private readonly now: () => number;
  private lastError = 'no error seen';
  private connected = false;

  constructor(private readonly options: RedisStateBackendOptions) {
    this.url = redactUrl(options.url);
    this.prefix = `${options.keyPrefix ?? 'prescient'}:`;
    this.now = options.now ?? Date.now;
    for (const [name, ttl] of Object.entries(options.stateTtlMs ?? {})) this.ttlByState.set(name, ttl);
    const redisOptions: RedisOptions = {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      maxRetriesPerRequest: options.maxRetriesPerRequest ?? 20,
      // Quick, capped reconnects: a restarted Redis is picked up within a second.
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
    };
    this.redis = new Redis(options.url, redisOptions);
    this.redis.on('error', (e: Error) => {
      this.lastError = e.message;
    });
    this.redis.defineCommand('prescientCheckpoint', { numberOfKeys: 3, lua: readLuaScript('checkpoint.lua') });
  }

  /** Connects (bounded by connectTimeoutMs); throws RedisUnavailableError naming the URL. */
  async connect(): Promise<void> {
    if (this.connected) return;
    const timeoutMs = (this.options.connectTimeoutMs ?? 5000) + 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.connect().then(() => this.redis.ping()),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms (${this.lastError})`)), timeoutMs);
        }),
      ]);
      this.connected = true;
    } catch (e) {
      this.redis.disconnect();
      throw new RedisUnavailableError(this.url, 'connect', (e as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  openTask(partition: number): TaskState {
    return new TtlReportingTaskState(partition, this.now(), (name, ttl) => {
      if (ttl !== undefined) this.ttlByState.set(name, ttl);
    });
  }

  keysOf(partition: number): { cells: string; meta: string; expiry: string } {
    const base = `${this.prefix}{${this.options.namespace}:${partition}}`;
    return { cells: `${base}:cells`, meta: `${base}:meta`, expiry: `${base}:expiry` };
  }

  /**
   * Writes the dirty cells and the offset in one atomic script. Throws CheckpointFencedError when
   * another owner restored the partition since this backend did, RedisUnavailableError when Redis
   * does not answer (nothing or everything was applied then; the caller may retry the same one).
   */
  async saveCheckpoint(cp: Checkpoint): Promise<void> {
    await this.writeCheckpoint(cp);
  }

  async writeCheckpoint(cp: Checkpoint): Promise<CheckpointResult> {
    const k = this.keysOf(cp.partition);
    const sets: string[] = [];
    const dels: string[] = [];
    let nSet = 0;
    for (const e of cp.entries) {
      const field = `${e.state}\u0000${e.key}`;
      if (e.deleted) {
        dels.push(field);
        continue;
      }
      const ttl = this.ttlByState.get(e.state);
      const expireAt = ttl !== undefined && e.writtenAtMs !== undefined ? String(e.writtenAtMs + ttl) : '';
      sets.push(field, encodeStateCell(e.value, e.writtenAtMs), expireAt);
      nSet++;
    }
    const epoch = this.epochs.get(cp.partition);
    const idle = this.options.idleKeyGroupTtlMs;
    const args = [
      String(cp.offset), String(cp.takenAtMs), epoch === undefined ? '' : String(epoch),
      String(nSet), String(dels.length), idle === undefined ? '' : String(idle),
    ];
    try {
      const [written, deleted, expired] = await (this.redis as unknown as CheckpointCommand).prescientCheckpoint(
        k.cells, k.meta, k.expiry, ...args, ...sets, ...dels,
      );
      return { written, deleted, expired };
    } catch (e) {
      const msg = (e as Error).message;
      if (msg.startsWith('FENCED')) throw new CheckpointFencedError(cp.partition, epoch ?? -1, msg);
      throw new RedisUnavailableError(this.url, 'checkpoint', msg, cp.partition);
    }
  }

  /** The partition's last checkpoint (state and offset), read atomically; does not claim it. */
  async loadCheckpoint(partition: number): Promise<Checkpoint | undefined> {
    return this.read(partition, false);
  }

  /**
   * Takes ownership of the partition (its checkpoint epoch goes up by one, fencing the previous
   * owner) and returns its last checkpoint: what a task calls when the partition is assigned.
   */
  async restore(partition: number): Promise<Checkpoint | undefined> {
    return this.read(partition, true);
  }

  /** Epoch held for a partition after restore(), for diagnostics. */
  epochOf(partition: number): number | undefined {
    return this.epochs.get(partition);
  }

  /** Forgets a revoked partition's epoch (its later writes would be refused anyway). */
  release(partition: number): void {
    this.epochs.delete(partition);
  }

  private async read(partition: number, claim: boolean): Promise<Checkpoint | undefined> {
    const k = this.keysOf(partition);
    const nowMs = this.now();
    const multi = this.redis.multi();
    if (claim) multi.hincrby(k.meta, 'epoch', 1);
    multi.hgetall(k.meta).hgetall(k.cells).zrangebyscore(k.expiry, '-inf', nowMs);
    let res: Array<[Error | null, unknown]> | null;
    try {
      res = await multi.exec();
    } catch (e) {
      throw new RedisUnavailableError(this.url, claim ? 'restore' : 'loadCheckpoint', (e as Error).message, partition);
    }
    if (res === null) throw new RedisUnavailableError(this.url, 'restore', 'transaction aborted', partition);
    for (const [err] of res) if (err) throw new RedisUnavailableError(this.url, 'restore', err.message, partition);
    const o = claim ? 1 : 0;
    if (claim) this.epochs.set(partition, Number(res[0][1]));
    const meta = res[o][1] as Record<string, string>;
    const cells = res[o + 1][1] as Record<string, string>;
    const expired = new Set(res[o + 2][1] as string[]);
    if (meta.offset === undefined) return undefined;
    const entries: StateEntry[] = [];
    for (const field of Object.keys(cells)) {
      if (expired.has(field)) continue;
      const sep = field.indexOf('\u0000');
      if (sep < 0) throw new StoredStateError(partition, field, 'field has no state/key separator');
      let cell: { value: unknown; writtenAtMs: number | undefined };
      try {
        cell = decodeStateCell(cells[field]);
      } catch (e) {
        throw new StoredStateError(partition, field, (e as Error).message);
      }
      const entry: StateEntry = { state: field.slice(0, sep), key: field.slice(sep + 1), value: cell.value };
      if (cell.writtenAtMs !== undefined) entry.writtenAtMs = cell.writtenAtMs;
      entries.push(entry);
    }
    return { partition, offset: Number(meta.offset), entries, takenAtMs: Number(meta.takenAtMs ?? 0) };
  }

  /** Removes a partition's stored state (tests, or a job reset). */
  async deletePartition(partition: number): Promise<void> {
    const k = this.keysOf(partition);
    await this.redis.del(k.cells, k.meta, k.expiry);
  }

  async close(): Promise<void> {
    try {
      if (this.redis.status === 'ready') await this.redis.quit();
      else this.redis.disconnect();
    } catch {
      this.redis.disconnect();
    }
  }
}

/** The URL without its password, for errors and logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
