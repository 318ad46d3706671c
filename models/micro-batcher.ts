/**
 * Micro-batches LSTM steps from ALL tasks of the process into one batched step.
 * A task submits one request per chunk (its rows, their states, and which earlier row of the
 * same key each row depends on) and awaits one promise. The batcher fills a batch with the
 * rows that are ready (their key's previous row already stepped), up to `maxBatch`, across
 * requests in FIFO order, and flushes when the batch is full or when `maxWaitUs` has passed
 * since the first pending row. The wait polls with setImmediate (no 1 ms setTimeout floor),
 * so tasks whose I/O completes in the same loop turn join the batch.
 * When the model runs on the WebAssembly SIMD kernel at every batch size, a request is stepped at
 * once in one call instead (StatefulLstm.stepChain): batching would only add waiting and copies.
 */
import type { StatefulLstm } from './stateful-lstm';

/** One chunk's rows. All arrays are owned by the caller and written in place. */
export interface StepRequest {
  n: number;
  /** n x F raw feature rows (features.writeRecordFeatures). */
  x: Float32Array;
  /** n x H: before the step, the initial state of rows whose dep is -1; after it, every row's new state. */
  h: Float32Array;
  c: Float32Array;
  /** dep[i] = index of the earlier row of the same key in this request (its new state is row i's input), or -1. */
  dep: Int32Array;
  /** n x T: unscaled predictions of each row's key's next packet. */
  out: Float32Array;
}

export interface MicroBatcherOptions {
  maxBatch: number;
  maxWaitUs: number;
}

export interface BatcherStats {
  batches: number;
  rows: number;
  maxBatchSeen: number;
}

interface Pending {
  req: StepRequest;
  done: Uint8Array;
  /** Rows in dependency order (by occurrence index of their key); cursor into it. */
  order: Int32Array;
  cursor: number;
  remaining: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Orders rows so each comes after its dependency: wave 0 (first of each key), then wave 1, ... */
function dependencyOrder(dep: Int32Array, n: number): Int32Array {
  const wave = new Int32Array(n);
  let maxWave = 0;
  for (let i = 0; i < n; i++) {
    const d = dep[i];
    if (d >= i) throw new RangeError(`row ${i} depends on row ${d}, which is not earlier`);
    wave[i] = d < 0 ? 0 : wave[d] + 1;
    if (wave[i] > maxWave) maxWave = wave[i];
  }
  if (maxWave === 0) return Int32Array.from({ length: n }, (_, i) => i);
  // Counting sort by wave (stable): O(n) even when one key fills the chunk.
  const start = new Int32Array(maxWave + 2);
  for (let i = 0; i < n; i++) start[wave[i] + 1]++;
  for (let w = 1; w <= maxWave + 1; w++) start[w] += start[w - 1];
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[wave[i]]++] = i;
  return order;
}

/** Told about every batched step (telemetry wires it); models/ itself depends on no metrics library. */
export interface BatchObserver {
  onBatch(rows: number, waitUs: number): void;
}

let batchObserver: BatchObserver | undefined;

/** Sets (or, with undefined, clears) the process-wide observer of every batcher's steps. */
export function setBatchObserver(o: BatchObserver | undefined): void {
  batchObserver = o;
}

const STEPPED: Promise<void> = Promise.resolve();

export class MicroBatcher {
  private readonly queue: Pending[] = [];
  private readonly F: number;
  private readonly H: number;
  private readonly T: number;
  // Batch buffers, reused for every flush.
  private readonly bx: Float32Array;
  private readonly bh: Float32Array;
  private readonly bc: Float32Array;
  private readonly bout: Float32Array;
  private readonly bOwner: Array<Pending | null>;
  private readonly bRow: Int32Array;
  private firstPendingAt = 0n;
  private waiting = false;
  private readonly maxWaitNs: bigint;
  readonly stats: BatcherStats = { batches: 0, rows: 0, maxBatchSeen: 0 };

  constructor(readonly model: StatefulLstm, readonly options: MicroBatcherOptions) {
    if (!(options.maxBatch >= 1)) throw new RangeError(`maxBatch must be >= 1, got ${options.maxBatch}`);
    this.F = model.inputs;
    this.H = model.hidden;
    this.T = model.outputs;
    const B = options.maxBatch;
    this.bx = new Float32Array(B * this.F);
    this.bh = new Float32Array(B * this.H);
    this.bc = new Float32Array(B * this.H);
    this.bout = new Float32Array(B * this.T);
    this.bOwner = new Array<Pending | null>(B).fill(null);
    this.bRow = new Int32Array(B);
    this.maxWaitNs = BigInt(Math.max(0, Math.round(options.maxWaitUs * 1000)));
  }

  /** Rows queued and not yet stepped. */
  get pendingRows(): number {
    let n = 0;
    for (const p of this.queue) n += p.remaining;
    return n;
  }

  submit(req: StepRequest): Promise<void> {
    if (req.n === 0) return Promise.resolve();
    // The SIMD kernel steps row by row at the same cost per row at any batch size, so waiting to
    // batch buys nothing: the request is stepped now, in one call, dependencies included.
    try {
      if (this.steppedNow(req)) return STEPPED;
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<void>((resolve, reject) => {
      let order: Int32Array;
      try {
        order = dependencyOrder(req.dep, req.n);
      } catch (e) {
        reject(e);
        return;
      }
      if (this.queue.length === 0) this.firstPendingAt = process.hrtime.bigint();
      this.queue.push({ req, done: new Uint8Array(req.n), order, cursor: 0, remaining: req.n, resolve, reject });
      if (this.pendingRows >= this.options.maxBatch) this.flush();
      else this.scheduleWait();
    });
  }

  /**
   * Steps the request synchronously, in one call, when batching cannot help (the SIMD kernel at
   * every batch size, nothing queued) and returns true; false means: submit() it. Lets a caller
   * skip the promise and its microtask per chunk. Throws what the step throws (a bad dep).
   */
  steppedNow(req: StepRequest): boolean {
    if (this.queue.length !== 0 || this.model.kernelFor(this.options.maxBatch) !== 'simd') return false;
    if (req.n > 0) this.model.stepChain(req.n, req.x, req.h, req.c, req.dep, req.out);
    batchObserver?.onBatch(req.n, 0);
    this.stats.batches++;
    this.stats.rows += req.n;
    if (req.n > this.stats.maxBatchSeen) this.stats.maxBatchSeen = req.n;
    return true;
  }

  private scheduleWait(): void {
    if (this.waiting || this.queue.length === 0) return;
    this.waiting = true;
    setImmediate(this.poll);
  }

  private readonly poll = (): void => {
    this.waiting = false;
    if (this.queue.length === 0) return;
    if (process.hrtime.bigint() - this.firstPendingAt >= this.maxWaitNs || this.pendingRows >= this.options.maxBatch) this.flush();
    else this.scheduleWait();
  };

  /** Steps batches until every queued request is complete. Synchronous: both kernels are. */
  flush(): void {
    while (this.queue.length > 0) {
      const obs = batchObserver;
      // How long the batch's first row waited; read before gather, which the rows leave.
      const waitUs = obs === undefined ? 0 : Number(process.hrtime.bigint() - this.firstPendingAt) / 1000;
      const n = this.gather();
      if (n === 0) {
        this.failAll(new Error('micro-batcher: no row is ready (dependency cycle)'));
        return;
      }
      try {
        this.model.step(n, this.bx, this.bh, this.bc, this.bout);
      } catch (e) {
        this.failAll(e);
        return;
      }
      this.scatter(n);
      if (obs !== undefined) obs.onBatch(n, waitUs);
      this.stats.batches++;
      this.stats.rows += n;
      if (n > this.stats.maxBatchSeen) this.stats.maxBatchSeen = n;
    }
  }

  /** Copies ready rows (dependency already stepped) into the batch buffers. */
  private gather(): number {
    const { F, H } = this;
    const max = this.options.maxBatch;
    let n = 0;
    for (let q = 0; q < this.queue.length && n < max; q++) {
      const p = this.queue[q];
      const { req, done, order } = p;
      while (p.cursor < req.n && n < max) {
        const i = order[p.cursor];
        const d = req.dep[i];
        if (d >= 0 && done[d] === 0) break; // its key's previous row is in this batch
        const src = d >= 0 ? d : i;
        this.bx.set(req.x.subarray(i * F, (i + 1) * F), n * F);
        this.bh.set(req.h.subarray(src * H, (src + 1) * H), n * H);
        this.bc.set(req.c.subarray(src * H, (src + 1) * H), n * H);
        this.bOwner[n] = p;
        this.bRow[n] = i;
        n++;
        p.cursor++;
      }
    }
    return n;
  }

  private scatter(n: number): void {
    const { H, T } = this;
    for (let b = 0; b < n; b++) {
      const p = this.bOwner[b]!;
      const i = this.bRow[b];
      p.req.h.set(this.bh.subarray(b * H, (b + 1) * H), i * H);
      p.req.c.set(this.bc.subarray(b * H, (b + 1) * H), i * H);
      p.req.out.set(this.bout.subarray(b * T, (b + 1) * T), i * T);
      p.done[i] = 1;
      p.remaining--;
      this.bOwner[b] = null;
    }
    let w = 0;
    for (let q = 0; q < this.queue.length; q++) {
      const p = this.queue[q];
      if (p.remaining === 0) p.resolve();
      else this.queue[w++] = p;
    }
    this.queue.length = w;
    if (w > 0) this.firstPendingAt = process.hrtime.bigint();
  }

  private failAll(e: unknown): void {
    const q = this.queue.splice(0);
    for (const p of q) p.reject(e);
  }
}

/** One batcher per model per process, so every task's predict operator shares it. */
const shared = new WeakMap<StatefulLstm, MicroBatcher>();

export function sharedBatcher(model: StatefulLstm, options: MicroBatcherOptions): MicroBatcher {
  let b = shared.get(model);
  if (b === undefined) {
    b = new MicroBatcher(model, options);
    shared.set(model, b);
  }
  return b;
}
