import { SIMD_HEAD_WIDTH, SimdLstmKernel, wasmSimdSupported } from '../../../models/simd-lstm-kernel';

/** Deterministic pseudo-random numbers in [-scale, scale). */
function rand(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** The LSTM cell step and heads written plainly in double precision, as the reference. */
function reference(F: number, H: number, w: ReturnType<typeof weights>, n: number, x: Float32Array, h: Float64Array, c: Float64Array, head: Float64Array): void {
  const G = 4 * H;
  for (let r = 0; r < n; r++) {
    const z = new Float64Array(G);
    for (let k = 0; k < G; k++) {
      let acc = w.bias[k];
      for (let q = 0; q < F; q++) acc += x[r * F + q] * w.kernel[q * G + k];
      for (let q = 0; q < H; q++) acc += h[r * H + q] * w.recurrent[q * G + k];
      z[k] = acc;
    }
    for (let j = 0; j < H; j++) {
      const cn = sig(z[H + j]) * c[r * H + j] + sig(z[j]) * Math.tanh(z[2 * H + j]);
      c[r * H + j] = cn;
      h[r * H + j] = sig(z[3 * H + j]) * Math.tanh(cn);
    }
    for (let k = 0; k < SIMD_HEAD_WIDTH; k++) {
      let acc = w.headBias[k];
      for (let j = 0; j < H; j++) acc += h[r * H + j] * w.head[j * SIMD_HEAD_WIDTH + k];
      head[r * SIMD_HEAD_WIDTH + k] = k < 4 ? acc : sig(acc);
    }
  }
}

function weights(F: number, H: number, seed: number) {
  const head = rand(H * SIMD_HEAD_WIDTH, seed + 4, 0.5);
  for (let j = 0; j < H; j++) head[j * SIMD_HEAD_WIDTH + 3] = 0;
  return {
    inputs: F,
    hidden: H,
    kernel: rand(F * 4 * H, seed, 0.6),
    recurrent: rand(H * 4 * H, seed + 1, 0.4),
    bias: rand(4 * H, seed + 2, 0.3),
    head,
    headBias: rand(SIMD_HEAD_WIDTH, seed + 3, 0.2),
  };
}

describe('SimdLstmKernel', () => {
  test('this Node runs WebAssembly SIMD', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  test.each([
    [26, 12, 5],
    [26, 32, 37],
    [26, 64, 9],
    [7, 4, 3],
  ])('F=%i H=%i: %i rows over 6 steps equal a double-precision reference within 1e-5', (F, H, n) => {
    const w = weights(F, H, F * 100 + H);
    const k = new SimdLstmKernel(w, 16); // capacity below n for the larger cases: steps in pieces
    const h = new Float32Array(n * H);
    const c = new Float32Array(n * H);
    const head = new Float32Array(n * SIMD_HEAD_WIDTH);
    const rh = new Float64Array(n * H);
    const rc = new Float64Array(n * H);
    const rhead = new Float64Array(n * SIMD_HEAD_WIDTH);
    let maxDiff = 0;
    for (let t = 0; t < 6; t++) {
      const x = rand(n * F, 1000 + t, 3);
      for (let i = 0; i < x.length; i += 3) x[i] = 0; // zero inputs, as one-hot columns, are skipped
      k.step(n, x, h, c, head);
      reference(F, H, w, n, x, rh, rc, rhead);
      for (let i = 0; i < n * H; i++) maxDiff = Math.max(maxDiff, Math.abs(h[i] - rh[i]), Math.abs(c[i] - rc[i]));
      for (let i = 0; i < n * SIMD_HEAD_WIDTH; i++) maxDiff = Math.max(maxDiff, Math.abs(head[i] - rhead[i]));
      // Keep the reference on the kernel's float32 state so error does not compound over steps.
      rh.set(h);
      rc.set(c);
    }
    expect(maxDiff).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(h, Math.abs))).toBeGreaterThan(0.01); // the state moved
  });

  test('saturating inputs stay finite (exp clamped)', () => {
    const w = weights(3, 4, 11);
    const k = new SimdLstmKernel(w, 4);
    const x = Float32Array.from([1e6, -1e6, 300]);
    const h = new Float32Array(4);
    const c = new Float32Array(4);
    const head = new Float32Array(SIMD_HEAD_WIDTH);
    k.step(1, x, h, c, head);
    for (const v of [...h, ...c, ...head]) expect(Number.isFinite(v)).toBe(true);
    for (const v of h) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });

  test('saturated gates give no subnormal floats (they cost ~100 cycles each on x86)', () => {
    const w = weights(26, 32, 5);
    for (let i = 0; i < w.kernel.length; i++) w.kernel[i] *= 40; // pre-activations far beyond +-87
    const k = new SimdLstmKernel(w, 8);
    const n = 8;
    const h = new Float32Array(n * 32);
    const c = new Float32Array(n * 32);
    const head = new Float32Array(n * SIMD_HEAD_WIDTH);
    let subnormal = 0;
    for (let t = 0; t < 10; t++) {
      k.step(n, rand(n * 26, 50 + t, 3), h, c, head);
      for (const v of [...h, ...c, ...head]) if (v !== 0 && Math.abs(v) < 1.1754944e-38) subnormal++;
    }
    expect(subnormal).toBe(0);
  });

  test('a hidden size that is not a multiple of 4 is refused', () => {
    expect(() => new SimdLstmKernel(weights(5, 6, 1))).toThrow(RangeError);
  });
});

describe('SimdLstmKernel.stepChain', () => {
  test.each([64, 7])('rows continuing earlier rows of their key equal stepping each key in sequence (capacity %i)', (capacity) => {
    const F = 26;
    const H = 32;
    const w = weights(F, H, 77);
    const k = new SimdLstmKernel(w, capacity);
    // 40 rows of 5 keys, interleaved unevenly; key 0 has most rows (a long chain across pieces).
    const keys = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 0 : (i * 7) % 5));
    const n = keys.length;
    const x = rand(n * F, 5, 2);
    const dep = new Int32Array(n);
    const last = new Map<number, number>();
    keys.forEach((key, i) => {
      dep[i] = last.get(key) ?? -1;
      last.set(key, i);
    });
    const h0 = rand(5 * H, 6, 0.5);
    const c0 = rand(5 * H, 7, 0.5);
    const h = new Float32Array(n * H);
    const c = new Float32Array(n * H);
    keys.forEach((key, i) => {
      if (dep[i] < 0) {
        h.set(h0.subarray(key * H, (key + 1) * H), i * H);
        c.set(c0.subarray(key * H, (key + 1) * H), i * H);
      }
    });
    const head = new Float32Array(n * SIMD_HEAD_WIDTH);
    k.stepChain(n, x, h, c, dep, head);
    // Expected: each key's rows one at a time through `step`, carrying its state.
    const kh = h0.slice();
    const kc = c0.slice();
    const one = new Float32Array(SIMD_HEAD_WIDTH);
    let maxDiff = 0;
    keys.forEach((key, i) => {
      const hh = kh.subarray(key * H, (key + 1) * H);
      const cc = kc.subarray(key * H, (key + 1) * H);
      k.step(1, x.subarray(i * F, (i + 1) * F), hh, cc, one);
      for (let j = 0; j < H; j++) maxDiff = Math.max(maxDiff, Math.abs(h[i * H + j] - hh[j]), Math.abs(c[i * H + j] - cc[j]));
      for (let j = 0; j < SIMD_HEAD_WIDTH; j++) maxDiff = Math.max(maxDiff, Math.abs(head[i * SIMD_HEAD_WIDTH + j] - one[j]));
    });
    expect(maxDiff).toBe(0);
    expect(h.subarray((n - 1) * H, n * H)).not.toEqual(h0.subarray(0, H));
  });

  test('a dependency on a later row is refused', () => {
    const k = new SimdLstmKernel(weights(4, 4, 1), 8);
    const dep = Int32Array.from([-1, 2, -1]);
    expect(() => k.stepChain(3, new Float32Array(12), new Float32Array(12), new Float32Array(12), dep, new Float32Array(36))).toThrow(RangeError);
  });
});
