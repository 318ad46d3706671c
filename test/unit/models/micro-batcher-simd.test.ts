import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../models/backend';
import { FEATURE_COUNT, TARGET_COUNT } from '../../../models/features';
import { buildLstmModel } from '../../../models/lstm';
import { MicroBatcher, StepRequest } from '../../../models/micro-batcher';
import { StandardScaler } from '../../../models/scaler';
import { StatefulLstm } from '../../../models/stateful-lstm';

const H = 8;
let model: tf.LayersModel;
let lstm: StatefulLstm;

beforeAll(async () => {
  await selectBackend('wasm');
  model = buildLstmModel({ hidden: H, learningRate: 0.01, seed: 7 });
  const scaler = new StandardScaler(new Float32Array(FEATURE_COUNT), new Float32Array(FEATURE_COUNT).fill(1));
  lstm = new StatefulLstm(model, scaler, 'v'); // auto: the SIMD kernel at every batch size
});
afterAll(() => {
  lstm.dispose();
  model.dispose();
});

function request(keys: string[]): StepRequest {
  const n = keys.length;
  const x = Float32Array.from({ length: n * FEATURE_COUNT }, (_, i) => Math.sin(i * 0.7));
  const dep = new Int32Array(n).fill(-1);
  const last = new Map<string, number>();
  keys.forEach((k, i) => {
    dep[i] = last.get(k) ?? -1;
    last.set(k, i);
  });
  return { n, x, h: new Float32Array(n * H), c: new Float32Array(n * H), dep, out: new Float32Array(n * TARGET_COUNT) };
}

describe('MicroBatcher on the SIMD kernel', () => {
  test('auto picks simd at every batch size, so a request is stepped at once in one call', async () => {
    expect(lstm.kernelFor(1)).toBe('simd');
    expect(lstm.kernelFor(4096)).toBe('simd');
    const b = new MicroBatcher(lstm, { maxBatch: 256, maxWaitUs: 1_000_000 });
    const keys = ['a', 'a', 'b', 'a', 'c', 'b', 'a', 'a'];
    const req = request(keys);
    const p = b.submit(req);
    // Stepped synchronously: no wait for the (1 s) batch window, nothing pending.
    expect(b.pendingRows).toBe(0);
    expect(b.stats).toEqual({ batches: 1, rows: keys.length, maxBatchSeen: keys.length });
    await p;
    // Reference: every row alone on the JS kernel, carrying per-key state.
    const state = new Map<string, { h: Float32Array; c: Float32Array }>();
    let maxDiff = 0;
    keys.forEach((k, i) => {
      let s = state.get(k);
      if (s === undefined) state.set(k, (s = { h: new Float32Array(H), c: new Float32Array(H) }));
      const o = new Float32Array(TARGET_COUNT);
      lstm.stepJs(1, req.x.subarray(i * FEATURE_COUNT), s.h, s.c, o);
      for (let j = 0; j < H; j++) maxDiff = Math.max(maxDiff, Math.abs(req.h[i * H + j] - s.h[j]));
      for (let j = 0; j < TARGET_COUNT; j++) maxDiff = Math.max(maxDiff, Math.abs(req.out[i * TARGET_COUNT + j] - o[j]));
    });
    expect(maxDiff).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(req.h, Math.abs))).toBeGreaterThan(1e-3);
  });

  test('a bad dependency rejects the request and leaves the batcher usable', async () => {
    const b = new MicroBatcher(lstm, { maxBatch: 256, maxWaitUs: 100 });
    const bad = request(['a', 'b']);
    bad.dep[0] = 1;
    await expect(b.submit(bad)).rejects.toThrow(RangeError);
    await b.submit(request(['a']));
    expect(b.stats.rows).toBe(1);
  });
});
