/**
 * One loaded model per model directory per process, shared by the predict operators of every
 * task, so their rows meet in one micro-batcher. Hot swap loads a new version in the background
 * and replaces `current`; operators notice between chunks. A failed load keeps the old model.
 */
import * as path from 'node:path';
import { selectBackend, BackendChoice } from './backend';
import { MicroBatcher, MicroBatcherOptions } from './micro-batcher';
import { loadModel, ModelMetadata } from './model-store';
import { KernelChoice, StatefulLstm } from './stateful-lstm';

export interface ActiveModel {
  lstm: StatefulLstm;
  metadata: ModelMetadata;
  batcher: MicroBatcher;
  dir: string;
}

export interface SharedModelOptions {
  backend: BackendChoice;
  kernel: KernelChoice;
  batch: MicroBatcherOptions;
}

let backendPromise: Promise<string> | null = null;
let backendAsked: BackendChoice | null = null;

/** Selects the tfjs backend once per process; later callers get the first choice's result. */
export function ensureBackend(choice: BackendChoice): Promise<string> {
  if (backendPromise === null) {
    backendAsked = choice;
    backendPromise = selectBackend(choice);
    backendPromise.catch(() => {
      backendPromise = null;
      backendAsked = null;
    });
  }
  return backendPromise;
}

/** The backend asked for first in this process (null before any). */
export function backendRequested(): BackendChoice | null {
  return backendAsked;
}

async function loadActive(dir: string, opts: SharedModelOptions): Promise<ActiveModel> {
  const loaded = await loadModel(dir);
  try {
    const lstm = new StatefulLstm(loaded.model, loaded.scaler, loaded.metadata.version, { kernel: opts.kernel });
    if (opts.kernel === 'auto') lstm.calibrate();
    return { lstm, metadata: loaded.metadata, batcher: new MicroBatcher(lstm, opts.batch), dir };
  } finally {
    // The stateful step copied what it needs; the layers model is not used for inference.
    loaded.model.dispose();
  }
}

export class SharedModel {
  private refs = 0;
  private swapping: Promise<ActiveModel> | null = null;

  constructor(readonly key: string, public current: ActiveModel, private readonly opts: SharedModelOptions) {}

  /** Loads `dir` and makes it current. Rejects (and keeps the current model) when the load fails. */
  swap(dir: string): Promise<ActiveModel> {
    const p = loadActive(path.resolve(dir), this.opts).then((next) => {
      const old = this.current;
      this.current = next;
      // In-flight chunks of the old model finish first: its batcher flushes synchronously.
      old.batcher.flush();
      old.lstm.dispose();
      return next;
    });
    this.swapping = p;
    p.catch(() => undefined).finally(() => {
      if (this.swapping === p) this.swapping = null;
    });
    return p;
  }

  /** Resolves when no swap is loading (tests and graceful shutdown). */
  async settled(): Promise<void> {
    while (this.swapping !== null) await this.swapping.catch(() => undefined);
  }

  retain(): this {
    this.refs++;
    return this;
  }

  /** Returns true when this was the last user (the model is then disposed and forgotten). */
  release(): boolean {
    this.refs--;
    if (this.refs > 0) return false;
    shared.delete(this.key);
    this.current.batcher.flush();
    this.current.lstm.dispose();
    return true;
  }
}

const shared = new Map<string, Promise<SharedModel>>();

/**
 * The process-wide model for `dir` (loaded on first use). The first caller's batch and kernel
 * options win; later callers share them, since sharing one batcher is the point.
 */
export async function acquireSharedModel(dir: string, opts: SharedModelOptions): Promise<SharedModel> {
  const key = path.resolve(dir);
  let p = shared.get(key);
  if (p === undefined) {
    p = ensureBackend(opts.backend).then(async () => new SharedModel(key, await loadActive(key, opts), opts));
    shared.set(key, p);
    p.catch(() => shared.delete(key));
  }
  return (await p).retain();
}

/** The shared model already loaded for `dir`, if any (for a retraining job that wants to swap it). */
export function sharedModelFor(dir: string): Promise<SharedModel> | undefined {
  return shared.get(path.resolve(dir));
}
