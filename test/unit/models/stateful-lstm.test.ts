import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../models/backend';
import { FEATURE_COUNT, TARGET_COUNT, TGT } from '../../../models/features';
import { FLAG_OUTPUTS, REGRESSION_OUTPUTS } from '../../../models/lstm';
import { StatefulLstm } from '../../../models/stateful-lstm';
import { trainModel, TrainResult } from '../../../models/train';
import { toySequences } from './toy-sequences';

const H = 12;
const SEQ = 12;
let trained: TrainResult;

beforeAll(async () => {
  await selectBackend('wasm');
  trained = await trainModel(toySequences(4, 120, 7), { hidden: H, seqLen: SEQ, epochs: 2, batchSize: 32, seed: 3 });
}, 30000);

afterAll(() => trained?.model.dispose());

/** The layers model's predictions for one (seqLen, F) scaled window, per step, unscaled. */
function layersPredict(window: Float32Array, steps: number): Float32Array {
  const [reg, flags] = tf.tidy(() => trained.model.predict(tf.tensor3d(window, [1, steps, FEATURE_COUNT])) as tf.Tensor[]);
  const r = reg.dataSync();
  const f = flags.dataSync();
  tf.dispose([reg, flags]);
  const out = new Float32Array(steps * TARGET_COUNT);
  const s = trained.scaler;
  for (let t = 0; t < steps; t++) {
    out[t * TARGET_COUNT + TGT.size] = s.unscale(0, r[t * REGRESSION_OUTPUTS]);
    out[t * TARGET_COUNT + TGT.entropy] = s.unscale(24, r[t * REGRESSION_OUTPUTS + 1]);
    out[t * TARGET_COUNT + TGT.iat] = s.unscale(1, r[t * REGRESSION_OUTPUTS + 2]);
    for (let b = 0; b < FLAG_OUTPUTS; b++) out[t * TARGET_COUNT + TGT.flags + b] = f[t * FLAG_OUTPUTS + b];
  }
  return out;
}

describe.each(['js', 'tfjs', 'simd'] as const)('StatefulLstm (%s kernel)', (kernel) => {
  test('step-by-step stateful predictions equal the layers model within 1e-4', () => {
    const lstm = new StatefulLstm(trained.model, trained.scaler, 'v-test', { kernel });
    try {
      // Three VMs stepped together as one batch, each from zero state, over 20 packets.
      const seqs = toySequences(3, 20, 99);
      const steps = 20;
      const B = seqs.length;
      const scaled = seqs.map((s) => {
        const rows = s.rows.slice();
        trained.scaler.transformRows(rows, s.length);
        return rows;
      });
      const expected = scaled.map((rows) => layersPredict(rows, steps));
      // The stateful step takes raw rows: the scaler is folded into its weights.
      const raw = seqs.map((s) => s.rows);
      const x = new Float32Array(B * FEATURE_COUNT);
      const h = new Float32Array(B * H);
      const c = new Float32Array(B * H);
      const out = new Float32Array(B * TARGET_COUNT);
      let maxDiff = 0;
      for (let t = 0; t < steps; t++) {
        for (let b = 0; b < B; b++) x.set(raw[b].subarray(t * FEATURE_COUNT, (t + 1) * FEATURE_COUNT), b * FEATURE_COUNT);
        lstm.step(B, x, h, c, out);
        for (let b = 0; b < B; b++) {
          for (let k = 0; k < TARGET_COUNT; k++) {
            maxDiff = Math.max(maxDiff, Math.abs(out[b * TARGET_COUNT + k] - expected[b][t * TARGET_COUNT + k]));
          }
        }
      }
      expect(maxDiff).toBeLessThan(1e-4);
      // And the predictions are not trivially equal (e.g. all zero).
      expect(new Set(Array.from(out).map((v) => v.toFixed(3))).size).toBeGreaterThan(5);
    } finally {
      lstm.dispose();
    }
  });
});

describe('StatefulLstm', () => {
  test('js, tfjs, fused-tfjs and simd kernels agree on random states at batch 70', () => {
    const lstm = new StatefulLstm(trained.model, trained.scaler, 'v');
    const n = 70;
    const x = Float32Array.from({ length: n * FEATURE_COUNT }, (_, i) => Math.sin(i * 0.37));
    const h0 = Float32Array.from({ length: n * H }, (_, i) => Math.cos(i * 0.11) * 0.5);
    const c0 = Float32Array.from({ length: n * H }, (_, i) => Math.sin(i * 0.23));
    const [h1, c1, o1] = [h0.slice(), c0.slice(), new Float32Array(n * TARGET_COUNT)];
    const [h2, c2, o2] = [h0.slice(), c0.slice(), new Float32Array(n * TARGET_COUNT)];
    const [h3, c3, o3] = [h0.slice(), c0.slice(), new Float32Array(n * TARGET_COUNT)];
    const [h4, c4, o4] = [h0.slice(), c0.slice(), new Float32Array(n * TARGET_COUNT)];
    lstm.stepSimd(n, x, h4, c4, o4);
    lstm.stepJs(n, x, h1, c1, o1);
    lstm.stepTfjs(n, x, h2, c2, o2);
    lstm.stepTfjsFused(n, x, h3, c3, o3);
    for (const [a, b] of [[h1, h2], [c1, c2], [o1, o2], [h1, h3], [c1, c3], [o1, o3], [h1, h4], [c1, c4], [o1, o4]]) {
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      expect(d).toBeLessThan(1e-4);
    }
    expect(h1).not.toEqual(h0);
    lstm.dispose();
  });

  test('rollForward returns k packets, does not touch the state, and its first is the current prediction', () => {
    const lstm = new StatefulLstm(trained.model, trained.scaler, 'v', { kernel: 'js' });
    const seq = toySequences(1, 10, 5)[0];
    const x = seq.rows;
    const h = new Float32Array(H);
    const c = new Float32Array(H);
    const out = new Float32Array(TARGET_COUNT);
    for (let t = 0; t < 10; t++) lstm.step(1, x.subarray(t * FEATURE_COUNT), h, c, out);
    const hBefore = h.slice();
    const raw = seq.rows.subarray(9 * FEATURE_COUNT, 10 * FEATURE_COUNT);
    const packets = lstm.rollForward(h, c, raw, 5);
    expect(packets).toHaveLength(5);
    expect(h).toEqual(hBefore);
    expect(packets[0].size).toBeCloseTo(Math.expm1(out[TGT.size]), 2);
    for (const p of packets) {
      expect(p.size).toBeGreaterThanOrEqual(0);
      expect(p.entropy).toBeGreaterThanOrEqual(0);
      expect(p.entropy).toBeLessThanOrEqual(8);
      expect(Number.isInteger(p.tcpFlags)).toBe(true);
    }
    expect(lstm.rollForward(h, c, raw, 0)).toEqual([]);
    lstm.dispose();
  });

  test('calibrate picks a crossover batch size', () => {
    const lstm = new StatefulLstm(trained.model, trained.scaler, 'v');
    const crossover = lstm.calibrate([1, 64, 256], 2);
    expect(crossover).toBeGreaterThanOrEqual(1);
    expect(lstm.crossover).toBe(crossover);
    lstm.dispose();
  });

  test('stepChain (rows continuing earlier rows of their key) agrees between the SIMD and JS kernels', () => {
    const simd = new StatefulLstm(trained.model, trained.scaler, 'v', { kernel: 'simd' });
    const js = new StatefulLstm(trained.model, trained.scaler, 'v', { kernel: 'js' });
    const keys = [0, 1, 0, 0, 2, 1, 0, 2, 0, 0];
    const n = keys.length;
    const x = Float32Array.from({ length: n * FEATURE_COUNT }, (_, i) => Math.sin(i * 0.29));
    const dep = new Int32Array(n);
    const last = new Map<number, number>();
    keys.forEach((k, i) => {
      dep[i] = last.get(k) ?? -1;
      last.set(k, i);
    });
    const h0 = Float32Array.from({ length: n * H }, (_, i) => Math.cos(i * 0.13) * 0.4);
    const c0 = Float32Array.from({ length: n * H }, (_, i) => Math.sin(i * 0.31) * 0.4);
    const [h1, c1, o1] = [h0.slice(), c0.slice(), new Float32Array(n * TARGET_COUNT)];
    const [h2, c2, o2] = [h0.slice(), c0.slice(), new Float32Array(n * TARGET_COUNT)];
    simd.stepChain(n, x, h1, c1, dep, o1);
    js.stepChain(n, x, h2, c2, dep, o2);
    for (const [a, b] of [[h1, h2], [c1, c2], [o1, o2]]) {
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      expect(d).toBeLessThan(1e-4);
    }
    // Row 2 continued row 0 (not its own initial state): stepping row 2 from h0 alone differs.
    const alone = [h0.slice(2 * H, 3 * H), c0.slice(2 * H, 3 * H), new Float32Array(TARGET_COUNT)] as const;
    js.stepJs(1, x.subarray(2 * FEATURE_COUNT), alone[0], alone[1], alone[2]);
    expect(Array.from(alone[0])).not.toEqual(Array.from(h2.subarray(2 * H, 3 * H)));
    simd.dispose();
    js.dispose();
  });

  test('on wasm with the SIMD kernel, auto stays on simd at every batch size after calibrate', () => {
    const lstm = new StatefulLstm(trained.model, trained.scaler, 'v');
    expect(lstm.simd).not.toBeNull();
    lstm.calibrate();
    for (const n of [1, 16, 256, 4096]) expect(lstm.kernelFor(n)).toBe('simd');
    const js = new StatefulLstm(trained.model, trained.scaler, 'v', { kernel: 'js' });
    expect(js.kernelFor(256)).toBe('js');
    js.dispose();
    lstm.dispose();
  });

  test('refuses an LSTM with hardSigmoid recurrent activation', () => {
    const input = tf.input({ shape: [null, FEATURE_COUNT] });
    const seq = tf.layers.lstm({ units: 4, returnSequences: true, name: 'lstm' }).apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: seq });
    expect(() => new StatefulLstm(m, trained.scaler, 'v')).toThrow(/recurrentActivation sigmoid/);
    m.dispose();
  });
});
