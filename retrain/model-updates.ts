/**
 * "A new model version is available", distributed through Redis: the retrain worker SETs the latest
 * update of a target and PUBLISHes it in one MULTI; every topology process runs a listener that
 * swaps its shared model (models/shared-model.ts) without a restart. The stored latest update lets a
 * listener that missed the message (started later, reconnected) catch up on its reconcile tick.
 * A failed swap (corrupt files, another feature spec) keeps the running model and is not retried
 * for that version.
 */
import Redis from 'ioredis';
import { resolveModelDir, sharedModelFor } from '../models';
import { bullConnection } from '../sinks/bullmq';
import { ModelSwapError } from './retrain-error';

export const MODEL_UPDATES_CHANNEL = 'prescient:model-updates';

export interface ModelUpdate {
  /** The predict operators' `model` setting this version replaces (see RetrainJob.target). */
  target: string;
  dir: string;
  version: string;
  jobId?: string;
}

/** pino's call shape; any logger with it will do. */
export interface UpdateLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function latestModelKey(target: string): string {
  return `prescient:model-latest:${target}`;
}

export async function publishModelUpdate(redis: Redis, u: ModelUpdate): Promise<void> {
  const msg = JSON.stringify(u);
  await redis.multi().set(latestModelKey(u.target), msg).publish(MODEL_UPDATES_CHANNEL, msg).exec();
}

export function parseModelUpdate(msg: string): ModelUpdate | null {
  try {
    const u = JSON.parse(msg) as Partial<ModelUpdate>;
    if (typeof u.target !== 'string' || typeof u.dir !== 'string' || typeof u.version !== 'string') return null;
    return { target: u.target, dir: u.dir, version: u.version, jobId: typeof u.jobId === 'string' ? u.jobId : undefined };
  } catch {
    return null;
  }
}

export type SwapOutcome = 'swapped' | 'current' | 'not-loaded' | 'failed-before' | 'failed';

/**
 * Applies updates to this process's shared models, one at a time. Redis-free, so it can be driven
 * directly (tests, an embedded run) as well as by the listener.
 */
export class ModelSwapper {
  private readonly failedVersions = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly hooks: { log?: UpdateLog; onSwapped?(u: ModelUpdate): void; onFailed?(err: ModelSwapError): void } = {}) {}

  apply(u: ModelUpdate): Promise<SwapOutcome> {
    const run = this.chain.then(() => this.applyNow(u));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyNow(u: ModelUpdate): Promise<SwapOutcome> {
    const id = `${u.target}@${u.version}@${u.dir}`;
    if (this.failedVersions.has(id)) return 'failed-before';
    const pending = sharedModelFor(resolveModelDir(u.target));
    if (pending === undefined) return 'not-loaded';
    const model = await pending.catch(() => undefined);
    if (model === undefined) return 'not-loaded';
    const from = model.current.metadata.version;
    if (from === u.version) return 'current';
    try {
      await model.swap(u.dir);
    } catch (err) {
      this.failedVersions.add(id);
      const e = new ModelSwapError(`model swap to ${u.version} (${u.dir}) failed, keeping ${from}: ${(err as Error).message}`, u.target, u.dir, u.version, err);
      this.hooks.log?.warn({ target: u.target, dir: u.dir, version: u.version, keeping: from, err: (err as Error).message }, 'model swap failed, keeping the current model');
      this.hooks.onFailed?.(e);
      return 'failed';
    }
    this.hooks.log?.info({ target: u.target, from, to: u.version, dir: u.dir, jobId: u.jobId }, 'model swapped');
    this.hooks.onSwapped?.(u);
    return 'swapped';
  }
}

export interface ModelUpdateListenerOptions {
  redisUrl: string;
  /**
   * Targets this process serves (its topology's predict `model` settings). The stored latest update is
   * looked up by these strings as written, so a job's target should be written the same way.
   */
  targets: string[];
  /** Catch-up tick in ms (default 5000; 0: none). */
  reconcileEveryMs?: number;
  log?: UpdateLog;
  onSwapped?(u: ModelUpdate): void;
  onFailed?(err: ModelSwapError): void;
}

export class ModelUpdateListener {
  readonly swapper: ModelSwapper;
  private readonly sub: Redis;
  private readonly cmd: Redis;
  private timer: NodeJS.Timeout | undefined;
  private readonly targets: Set<string>;
  /** Messages match by resolved directory ('models/x' and './models/x' are one target). */
  private readonly resolved: Set<string>;

  constructor(private readonly opts: ModelUpdateListenerOptions) {
    this.swapper = new ModelSwapper({ log: opts.log, onSwapped: opts.onSwapped, onFailed: opts.onFailed });
    this.targets = new Set(opts.targets);
    this.resolved = new Set(opts.targets.map((t) => resolveModelDir(t)));
    const conn = { ...bullConnection(opts.redisUrl), lazyConnect: true };
    this.sub = new Redis(conn);
    this.cmd = new Redis(conn);
    // Connection trouble is retried by ioredis; keep the emitter from throwing meanwhile.
    this.sub.on('error', () => undefined);
    this.cmd.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await Promise.all([this.sub.connect(), this.cmd.connect()]);
    this.sub.on('message', (_channel: string, msg: string) => {
      const u = parseModelUpdate(msg);
      if (u === null) {
        this.opts.log?.warn({ channel: MODEL_UPDATES_CHANNEL }, 'ignored a malformed model update');
        return;
      }
      if (this.resolved.has(resolveModelDir(u.target))) void this.swapper.apply(u);
    });
    await this.sub.subscribe(MODEL_UPDATES_CHANNEL);
    await this.reconcile();
    const every = this.opts.reconcileEveryMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => void this.reconcile().catch(() => undefined), every);
      this.timer.unref();
    }
  }

  /** Applies each target's latest stored update (a no-op when it is already current). */
  async reconcile(): Promise<void> {
    for (const t of this.targets) {
      const msg = await this.cmd.get(latestModelKey(t));
      const u = msg === null ? null : parseModelUpdate(msg);
      if (u !== null) await this.swapper.apply(u);
    }
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await Promise.allSettled([this.sub.quit(), this.cmd.quit()]);
  }
}
