/**
 * predict: one stateful LSTM step per packet, batched across keys and tasks.
 *
 * Keyed state `lstm` per VM holds the LSTM memory (h, c), the unscaled features of the VM's last
 * packet and the model's prediction of its next packet, as plain number arrays so it is
 * checkpointed and moves with the partition. For each packet: `record.predicted` is the
 * prediction made at the VM's previous packet (unset for a VM's first packet) and
 * `record.modelVersion` is set; then the packet's features step the LSTM and the new prediction
 * is stored. Each chunk is one request to the process-wide micro-batcher (one await per chunk).
 *
 * Reconstruction: when the packet is far from its prediction (surprise = |z| errors of size,
 * entropy and inter-arrival plus mismatched flag bits >= `reconstructThreshold`), the model's
 * roll-forward of the next `reconstructSteps` packets from the updated state is put in
 * `record.reconstructed`, so a packet that `score` later flags carries it; the check is cheap and
 * the roll-forward (batch 1, JS kernel) runs only for those packets. `reconstruct(state, k)` does
 * the same on demand.
 *
 * Hot swap: `swapModel(dir)` loads a new version in the background for every task sharing the
 * model; each operator switches between chunks. A VM whose state has another shape (hidden size)
 * is reset to zero memory, logged once per model. A failed load keeps the old model.
 */
import { z } from 'zod';
import type { Collector, Operator, OperatorContext, OperatorDefinition } from './contract';
import type { PacketRecord } from './packet-record';
import type { PredictedPacket } from '../schemas/types';
import type { ValueState } from '../state/keyed-state';
import { positiveDurationUs } from './config/duration';
import { activeBackend, BACKEND_CHOICES, BackendChoice } from '../models/backend';
import { resolveModelDir } from '../models/default-model';
import { COL, decodePrediction, FEATURE_COUNT, TARGET_COUNT, TGT, writeRecordFeatures } from '../models/features';
import { acquireSharedModel, ActiveModel, SharedModel } from '../models/shared-model';
import type { StepRequest } from '../models/micro-batcher';

export const predictConfigSchema = z
  .object({
    /** Model directory (metadata.json, model.json, weights.bin), or `default` for the committed model. */
    model: z.string().min(1).default('default'),
    batch: z
      .object({
        max: z.number().int().positive().max(65536).default(256),
        waitUs: z.number().nonnegative().max(1_000_000).default(500),
      })
      .strict()
      .default({}),
    backend: z.enum(BACKEND_CHOICES as [BackendChoice, ...BackendChoice[]]).default('auto'),
    /** Step kernel: WebAssembly SIMD (js where SIMD is unavailable) below the calibrated batch size and tfjs above (auto), or one of them always. */
    kernel: z.enum(['auto', 'js', 'tfjs', 'simd']).default('auto'),
    reconstructSteps: z.number().int().min(0).max(64).default(5),
    reconstructThreshold: z.number().positive().default(6),
    /** Forget a VM's LSTM memory after this long without packets. */
    ttl: positiveDurationUs.default('1h'),
  })
  .strict();

export type PredictConfig = z.output<typeof predictConfigSchema>;

/** Keyed state of one VM. Arrays are updated in place and `set` again so checkpoints see them. */
export interface LstmState {
  /** Version of the model that last wrote it. */
  v: string;
  h: number[];
  c: number[];
  /** Unscaled features of the VM's last packet (the roll-forward's template). */
  prev: number[];
  /** Unscaled prediction of the VM's next packet (features.TARGET_NAMES layout). */
  next: number[];
}

type KeyScoper = (key: string) => void;

/** Reaches each record's keyed state inside processBatch (contract: OperatorContext.setCurrentKey). */
function keyScoper(ctx: OperatorContext): KeyScoper {
  if (typeof ctx.setCurrentKey !== 'function') {
    throw new Error('predict: the runtime context has no setCurrentKey, so processBatch cannot reach each record\'s keyed state');
  }
  return (k) => ctx.setCurrentKey!(k);
}

function isCompatible(s: LstmState, hidden: number): boolean {
  return Array.isArray(s.h) && s.h.length === hidden && Array.isArray(s.c) && s.c.length === hidden &&
    Array.isArray(s.prev) && s.prev.length === FEATURE_COUNT && Array.isArray(s.next) && s.next.length === TARGET_COUNT;
}

function newState(version: string, hidden: number): LstmState {
  return { v: version, h: new Array<number>(hidden).fill(0), c: new Array<number>(hidden).fill(0), prev: new Array<number>(FEATURE_COUNT).fill(0), next: [] };
}

export class PredictOperator implements Operator<PacketRecord, PacketRecord> {
  private state!: ValueState<LstmState>;
  private handle: SharedModel | null = null;
  private active!: ActiveModel;
  private scope!: KeyScoper;
  private log!: OperatorContext['log'];
  private resetLogged = '';
  // Chunk buffers, grown on demand and reused: one request object per operator instance.
  private cap = 0;
  private req!: StepRequest;
  private readonly states: Array<LstmState | undefined> = [];
  private readonly lastIndex = new Map<string, number>();
  private isLast = new Uint8Array(0);
  readonly stats = { packets: 0, reconstructed: 0, resets: 0, swaps: 0 };

  constructor(readonly cfg: PredictConfig) {}

  async open(ctx: OperatorContext): Promise<void> {
    this.state = ctx.state.value<LstmState>('lstm', { ttlMs: this.cfg.ttl / 1000 });
    this.log = ctx.log;
    this.scope = keyScoper(ctx);
    this.handle = await acquireSharedModel(resolveModelDir(this.cfg.model), {
      backend: this.cfg.backend,
      kernel: this.cfg.kernel,
      batch: { maxBatch: this.cfg.batch.max, maxWaitUs: this.cfg.batch.waitUs },
    });
    this.active = this.handle.current;
    ctx.log.info('predict: model loaded', {
      backend: activeBackend(),
      model: this.active.dir,
      version: this.active.metadata.version,
      hidden: this.active.lstm.hidden,
      kernel: this.active.lstm.kernel,
      // The kernel a single row and a full batch run on (e.g. simd and simd, or js and tfjs).
      kernelAtBatch1: this.active.lstm.kernelFor(1),
      kernelAtBatchMax: this.active.lstm.kernelFor(this.cfg.batch.max),
    });
  }

  /** Loads `dir` in the background for every task sharing this model; swapped in between chunks. */
  swapModel(dir: string): Promise<string> {
    if (this.handle === null) return Promise.reject(new Error('predict: swapModel before open'));
    return this.handle.swap(dir).then(
      (m) => m.metadata.version,
      (err: unknown) => {
        this.log.error('predict: model swap failed, keeping the current model', { dir, error: (err as Error).message, version: this.active.metadata.version });
        throw err;
      },
    );
  }

  /** The model version records are annotated with now. */
  get modelVersion(): string {
    return this.active.metadata.version;
  }

  /** Roll-forward of `k` packets from a VM's state (forensics); [] when the state has another shape. */
  reconstruct(vmState: LstmState, k: number): PredictedPacket[] {
    const lstm = this.active.lstm;
    if (!isCompatible(vmState, lstm.hidden)) return [];
    return lstm.rollForward(vmState.h, vmState.c, vmState.prev, k);
  }

  process(record: PacketRecord, ctx: OperatorContext, out: Collector<PacketRecord>): void {
    // Per-record path (no batching): one row, stepped synchronously on the SIMD (or JS) kernel.
    this.checkSwap();
    this.ensureCapacity(1);
    this.req.dep[0] = -1;
    this.isLast[0] = 1;
    this.prepare(0, ctx.currentKey, record);
    this.req.n = 1;
    this.active.lstm.stepSmall(1, this.req.x, this.req.h, this.req.c, this.req.out);
    this.finish(0, ctx.currentKey, record);
    this.stats.packets++;
    out.collect(record);
  }

  processBatch(records: readonly PacketRecord[], keys: readonly string[], _ctx: OperatorContext, out: Collector<PacketRecord>): void | Promise<void> {
    const n = records.length;
    if (n === 0) return undefined;
    this.checkSwap();
    const active = this.active;
    this.ensureCapacity(n);
    const { dep } = this.req;
    const last = this.lastIndex;
    last.clear();
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const prev = last.get(key);
      dep[i] = prev === undefined ? -1 : prev;
      if (prev !== undefined) this.isLast[prev] = 0;
      this.isLast[i] = 1;
      last.set(key, i);
      this.prepare(i, key, records[i]);
    }
    this.req.n = n;
    // On the SIMD kernel the chunk is stepped right here: no promise, no microtask per chunk.
    if (active.batcher.steppedNow(this.req)) {
      this.complete(records, keys, out);
      return undefined;
    }
    return active.batcher.submit(this.req).then(() => this.complete(records, keys, out));
  }

  private complete(records: readonly PacketRecord[], keys: readonly string[], out: Collector<PacketRecord>): void {
    const n = records.length;
    for (let i = 0; i < n; i++) {
      this.finish(i, keys[i], records[i]);
      out.collect(records[i]);
    }
    this.scope(keys[0]);
    this.stats.packets += n;
  }

  close(): void {
    this.handle?.release();
    this.handle = null;
  }

  private checkSwap(): void {
    const current = this.handle!.current;
    if (current === this.active) return;
    this.log.info('predict: model swapped', { from: this.active.metadata.version, to: current.metadata.version });
    const resize = current.lstm.hidden !== this.active.lstm.hidden;
    this.active = current;
    this.stats.swaps++;
    if (resize && this.cap > 0) {
      // Chunk buffers follow the new hidden size.
      const cap = this.cap;
      this.cap = 0;
      this.ensureCapacity(cap);
    }
  }

  private ensureCapacity(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, this.cap * 2, 64);
    const H = this.active.lstm.hidden;
    this.req = {
      n: 0,
      x: new Float32Array(cap * FEATURE_COUNT),
      h: new Float32Array(cap * H),
      c: new Float32Array(cap * H),
      dep: new Int32Array(cap),
      out: new Float32Array(cap * TARGET_COUNT),
    };
    this.isLast = new Uint8Array(cap);
    this.cap = cap;
  }

  /** Reads the VM's state (first row of its key in the chunk) and writes row i's inputs. */
  private prepare(i: number, key: string, record: PacketRecord): void {
    const { lstm, metadata } = this.active;
    const H = lstm.hidden;
    writeRecordFeatures(this.req.x, i * FEATURE_COUNT, record);
    if (this.req.dep[i] >= 0) {
      this.states[i] = undefined;
      return;
    }
    this.scope(key);
    let s = this.state.get();
    if (s !== undefined && !isCompatible(s, H)) {
      if (this.resetLogged !== metadata.version) {
        this.resetLogged = metadata.version;
        this.log.warn('predict: LSTM state of another shape reset to zero memory', { key, stateHidden: Array.isArray(s.h) ? s.h.length : null, hidden: H, version: metadata.version });
      }
      this.stats.resets++;
      s = undefined;
    }
    this.states[i] = s;
    const h = this.req.h;
    const c = this.req.c;
    if (s === undefined) {
      h.fill(0, i * H, (i + 1) * H);
      c.fill(0, i * H, (i + 1) * H);
    } else {
      for (let j = 0; j < H; j++) {
        h[i * H + j] = s.h[j];
        c[i * H + j] = s.c[j];
      }
    }
  }

  /** Annotates row i's record and, for the key's last row of the chunk, writes the state back. */
  private finish(i: number, key: string, record: PacketRecord): void {
    const { lstm, metadata } = this.active;
    const H = lstm.hidden;
    const d = this.req.dep[i];
    const outArr = this.req.out;
    // The prediction of this packet was made at the key's previous packet.
    if (d >= 0) record.predicted = decodePrediction(outArr, d * TARGET_COUNT);
    else {
      const s = this.states[i];
      record.predicted = s !== undefined && s.next.length === TARGET_COUNT ? decodePrediction(s.next, 0) : undefined;
    }
    record.modelVersion = metadata.version;
    if (this.cfg.reconstructSteps > 0 && record.predicted !== undefined && this.surprise(i, d) >= this.cfg.reconstructThreshold) {
      record.reconstructed = lstm.rollForward(this.req.h.subarray(i * H, (i + 1) * H), this.req.c.subarray(i * H, (i + 1) * H), this.req.x.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), this.cfg.reconstructSteps);
      this.stats.reconstructed++;
    }
    if (this.isLast[i] === 0) return;
    // The first row of this key in the chunk holds its state object (undefined for a new VM).
    let first = i;
    while (this.req.dep[first] >= 0) first = this.req.dep[first];
    let s = this.states[first];
    if (s === undefined) s = newState(metadata.version, H);
    s.v = metadata.version;
    for (let j = 0; j < H; j++) {
      s.h[j] = this.req.h[i * H + j];
      s.c[j] = this.req.c[i * H + j];
    }
    for (let j = 0; j < FEATURE_COUNT; j++) s.prev[j] = this.req.x[i * FEATURE_COUNT + j];
    s.next.length = TARGET_COUNT;
    for (let j = 0; j < TARGET_COUNT; j++) s.next[j] = outArr[i * TARGET_COUNT + j];
    this.scope(key);
    this.state.set(s);
  }

  /** How far packet i is from its prediction, in training-data standard deviations and flag bits. */
  private surprise(i: number, dep: number): number {
    const scaler = this.active.lstm.scaler;
    // Offsets instead of a subarray: this runs for every packet.
    const pred: ArrayLike<number> = dep >= 0 ? this.req.out : this.states[i]!.next;
    const p = dep >= 0 ? dep * TARGET_COUNT : 0;
    const o = i * FEATURE_COUNT;
    const raw = this.req.x;
    let s = Math.abs(raw[o + COL.size] - pred[p + TGT.size]) / scaler.std[COL.size];
    s += Math.abs(raw[o + COL.entropy] - pred[p + TGT.entropy]) / scaler.std[COL.entropy];
    s += Math.abs(raw[o + COL.iat] - pred[p + TGT.iat]) / scaler.std[COL.iat];
    for (let b = 0; b < 8; b++) if ((pred[p + TGT.flags + b] >= 0.5 ? 1 : 0) !== raw[o + COL.flags + b]) s += 1;
    return s;
  }
}

export const predictOperator: OperatorDefinition<PredictConfig, PacketRecord, PacketRecord> = {
  name: 'predict',
  description:
    'Stateful LSTM next-packet prediction: per VM (h, c) in keyed state, one cell step per packet, ' +
    'micro-batched across the tasks of the process. Sets record.predicted (made at the VM\'s previous ' +
    'packet), record.modelVersion, and record.reconstructed (roll-forward) for packets far from their prediction.',
  configSchema: predictConfigSchema,
  create: (config) => new PredictOperator(config),
};
