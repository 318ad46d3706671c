import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../models/backend';
import { FEATURE_COUNT, TARGET_COUNT } from '../../../models/features';
import { buildLstmModel } from '../../../models/lstm';
import { MicroBatcher, sharedBatcher, StepRequest } from '../../../models/micro-batcher';
import { StandardScaler } from '../../../models/scaler';
import { StatefulLstm } from '../../../models/stateful-lstm';

const H = 6;
let lstm: StatefulLstm;
let model: tf.LayersModel;

beforeAll(async () => {
  await selectBackend('wasm');
  model = buildLstmModel({ hidden: H, learningRate: 0.01, seed: 42 });
  const scaler = new StandardScaler(new Float32Array(FEATURE_COUNT), new Float32Array(FEATURE_COUNT).fill(1));
  lstm = new StatefulLstm(model, scaler, 'v', { kernel: 'js' });
});
afterAll(() => {
  lstm.dispose();
  model.dispose();
});

function row(seed: number): Float32Array {
  return Float32Array.from({ length: FEATURE_COUNT }, (_, i) => Math.sin(seed * 7.1 + i));
}

/** A chunk of rows for `keys`; dep links each row to the previous row of the same key. */
function request(keys: string[], seedBase: number): StepRequest {
  const n = keys.length;
  const x = new Float32Array(n * FEATURE_COUNT);
  const dep = new Int32Array(n).fill(-1);
  const last = new Map<string, number>();
  keys.forEach((k, i) => {
    x.set(row(seedBase + i), i * FEATURE_COUNT);
    const prev = last.get(k);
    if (prev !== undefined) dep[i] = prev;
    last.set(k, i);
  });
  return { n, x, h: new Float32Array(n * H), c: new Float32Array(n * H), dep, out: new Float32Array(n * TARGET_COUNT) };
}

/** Reference: steps every row alone, in order, carrying per-key state. */
function sequential(req: StepRequest, keys: string[]): { h: Float32Array; out: Float32Array } {
  const h = new Float32Array(req.n * H);
  const out = new Float32Array(req.n * TARGET_COUNT);
  const state = new Map<string, { h: Float32Array; c: Float32Array }>();
  keys.forEach((k, i) => {
    let s = state.get(k);
    if (s === undefined) state.set(k, (s = { h: new Float32Array(H), c: new Float32Array(H) }));
    const o = new Float32Array(TARGET_COUNT);
    lstm.stepJs(1, req.x.subarray(i * FEATURE_COUNT), s.h, s.c, o);
    h.set(s.h, i * H);
    out.set(o, i * TARGET_COUNT);
  });
  return { h, out };
}

describe('MicroBatcher', () => {
  test('two concurrent requests with repeated keys give the same results as stepping one by one', async () => {
    const b = new MicroBatcher(lstm, { maxBatch: 4, maxWaitUs: 200 });
    const keysA = ['a', 'b', 'a', 'a', 'c', 'b'];
    const keysB = ['x', 'y', 'x', 'z'];
    const ra = request(keysA, 0);
    const rb = request(keysB, 100);
    await Promise.all([b.submit(ra), b.submit(rb)]);
    for (const [r, keys] of [[ra, keysA], [rb, keysB]] as const) {
      const ref = sequential(request(keys as string[], r === ra ? 0 : 100), keys as string[]);
      expect(Array.from(r.h)).toEqual(Array.from(ref.h));
      expect(Array.from(r.out)).toEqual(Array.from(ref.out));
    }
    expect(b.stats.rows).toBe(10);
    expect(b.stats.maxBatchSeen).toBeLessThanOrEqual(4);
    expect(b.pendingRows).toBe(0);
  });

  test('requests arriving within the wait share one batch', async () => {
    const b = new MicroBatcher(lstm, { maxBatch: 64, maxWaitUs: 50_000 });
    const p1 = b.submit(request(['a', 'b'], 1));
    await new Promise((r) => setImmediate(r));
    const p2 = b.submit(request(['c', 'd', 'e'], 2));
    await Promise.all([p1, p2]);
    expect(b.stats.batches).toBe(1);
    expect(b.stats.maxBatchSeen).toBe(5);
  });

  test('a full batch flushes without waiting for the timer', async () => {
    const b = new MicroBatcher(lstm, { maxBatch: 3, maxWaitUs: 10_000_000 });
    const t0 = Date.now();
    await b.submit(request(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 3));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(b.stats.batches).toBe(3);
  });

  test('flushes after maxWaitUs when the batch stays small', async () => {
    const b = new MicroBatcher(lstm, { maxBatch: 1000, maxWaitUs: 2000 });
    const t0 = process.hrtime.bigint();
    await b.submit(request(['a'], 4));
    const waitedUs = Number(process.hrtime.bigint() - t0) / 1000;
    expect(waitedUs).toBeGreaterThanOrEqual(2000);
    expect(waitedUs).toBeLessThan(500_000);
  });

  test('a failing step rejects every pending request', async () => {
    const broken = Object.create(lstm) as StatefulLstm;
    broken.step = () => {
      throw new Error('boom');
    };
    const b = new MicroBatcher(broken, { maxBatch: 8, maxWaitUs: 0 });
    await expect(Promise.all([b.submit(request(['a'], 1)), b.submit(request(['b'], 2))])).rejects.toThrow('boom');
    expect(b.pendingRows).toBe(0);
  });

  test('a dependency on a later row is refused', async () => {
    const b = new MicroBatcher(lstm, { maxBatch: 8, maxWaitUs: 0 });
    const r = request(['a', 'b'], 1);
    r.dep[0] = 1;
    await expect(b.submit(r)).rejects.toThrow(/row 0 depends on row 1/);
  });

  test('sharedBatcher returns one batcher per model', () => {
    expect(sharedBatcher(lstm, { maxBatch: 8, maxWaitUs: 0 })).toBe(sharedBatcher(lstm, { maxBatch: 16, maxWaitUs: 5 }));
  });
});
