/**
 * Inference as ONE LSTM cell step per packet, with each VM's (h, c) passed in and out, so the
 * VM's memory lives in keyed state instead of in the model. Two kernels compute the same step:
 * - tfjs: per-gate matMuls on the active backend (faster at large batches on wasm/GPU). `step`
 *         uses stepTfjsFused: [x | h] packed host-side so each gate's two matMuls + bias +
 *         activation are one fused op (measured 10-30 % faster on wasm than the eight separate
 *         matMuls of stepTfjs, which stays for comparison in benchmarks/inference.ts);
 * - js:   a hand-written fused loop over Float32Arrays (no per-op overhead: faster at small batches);
 * - simd: a generated WebAssembly SIMD kernel (simd-lstm-kernel.ts), the whole step in one call.
 * `kernel: 'auto'` uses simd (js where SIMD is unavailable) below `crossover` rows and tfjs from there
 * (see calibrate()); with simd the crossover starts at "never", since tfjs-wasm loses at every batch size.
 * Inputs are RAW (unscaled) feature rows: the scaler is folded into the input kernel and bias
 * at load, so no per-packet scaling is needed and the JS kernel skips the zero entries of the
 * one-hot columns. Outputs are UNSCALED targets (features.TARGET_NAMES layout: log1p size,
 * 8 flag probabilities, entropy/8, log1p iat) predicting the packet after the step.
 */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedModelError } from './errors';
import { COL, decodePrediction, FEATURE_COUNT, REGRESSION_TARGET_COLS, REGRESSION_TARGET_SLOTS, TARGET_COUNT, TGT } from './features';
import { FLAG_OUTPUTS, FLAGS_HEAD, LSTM_LAYER, REGRESSION_HEAD, REGRESSION_OUTPUTS } from './lstm';
import type { StandardScaler } from './scaler';
import { SIMD_HEAD_WIDTH, SimdLstmKernel, wasmSimdSupported } from './simd-lstm-kernel';
import type { PredictedPacket } from '../schemas/types';

export type KernelChoice = 'auto' | 'js' | 'tfjs' | 'simd';

/** Batch size from which the tfjs kernel wins on wasm (benchmarks/inference.ts: H=32 js ~10 us/row, wasm ~17 at 8, ~6 at 32; H=64 js ~28, wasm ~18 at 8, ~9.5 at 32). */
export const DEFAULT_CROSSOVER = 16;

interface GateTensors {
  /** Per gate [F + H, H]: the gate's input kernel over its recurrent kernel, for [x | h] rows. */
  wu: tf.Tensor2D[];
  /** Per gate [H] bias, for the fused matMul. */
  b1: tf.Tensor1D[];
  reg1: tf.Tensor1D;
  flags1: tf.Tensor1D;
  w: tf.Tensor2D[]; // per gate [F, H], order i, f, c, o
  u: tf.Tensor2D[]; // per gate [H, H]
  b: tf.Tensor2D[]; // per gate [1, H]
  reg: tf.Tensor2D; // [H, 3]
  regB: tf.Tensor2D; // [1, 3]
  flags: tf.Tensor2D; // [H, 8]
  flagsB: tf.Tensor2D; // [1, 8]
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Transposes a row-major [rows, cols] matrix into [cols, rows], so dot products read contiguously. */
function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/**
 * (x - mean) / std . K + b  ==  x . (K / std) + (b - (mean / std) . K): scaling folded into the
 * input kernel [F, 4H] and bias [4H], computed in double precision.
 */
function foldScaler(kernel: Float32Array, bias: Float32Array, scaler: StandardScaler, H: number): { k: Float32Array; b: Float32Array } {
  const G = 4 * H;
  const k = new Float32Array(kernel.length);
  const b = new Float64Array(bias);
  for (let q = 0; q < FEATURE_COUNT; q++) {
    const inv = 1 / scaler.std[q];
    const shift = scaler.mean[q] * inv;
    for (let j = 0; j < G; j++) {
      const w = kernel[q * G + j];
      k[q * G + j] = w * inv;
      b[j] -= shift * w;
    }
  }
  return { k, b: Float32Array.from(b) };
}

/**
 * Interleaves the Keras kernels ([F, 4H] and [H, 4H], gate blocks [i | f | c | o]) so unit j's
 * weights for input q are fused[((j * (F + H)) + q) * 4 + gate], read sequentially by stepJs.
 */
function fuseGates(kernel: Float32Array, recurrent: Float32Array, F: number, H: number): Float32Array {
  const I = F + H;
  const out = new Float32Array(H * I * 4);
  for (let j = 0; j < H; j++) {
    for (let q = 0; q < I; q++) {
      const src = q < F ? kernel : recurrent;
      const row = q < F ? q : q - F;
      for (let g = 0; g < 4; g++) out[(j * I + q) * 4 + g] = src[row * 4 * H + g * H + j];
    }
  }
  return out;
}

/**
 * The SIMD kernel's weights: the scaler-folded LSTM kernels, and both heads side by side in one
 * [H, 12] matrix ([size, entropy, iat, 0, flags 0-7]) with the regression unscaling folded in
 * (v * std + mean is linear), so the kernel's outputs are already unscaled.
 */
function simdWeights(
  k: Float32Array, u: Float32Array, b: Float32Array,
  reg: { w: Float32Array; b: Float32Array }, flags: { w: Float32Array; b: Float32Array },
  scaler: StandardScaler, H: number,
): ConstructorParameters<typeof SimdLstmKernel>[0] {
  const head = new Float32Array(H * SIMD_HEAD_WIDTH);
  const headBias = new Float32Array(SIMD_HEAD_WIDTH);
  for (let r = 0; r < REGRESSION_OUTPUTS; r++) {
    const col = REGRESSION_TARGET_COLS[r];
    const std = scaler.std[col];
    for (let j = 0; j < H; j++) head[j * SIMD_HEAD_WIDTH + r] = reg.w[j * REGRESSION_OUTPUTS + r] * std;
    headBias[r] = reg.b[r] * std + scaler.mean[col];
  }
  for (let f = 0; f < FLAG_OUTPUTS; f++) {
    for (let j = 0; j < H; j++) head[j * SIMD_HEAD_WIDTH + 4 + f] = flags.w[j * FLAG_OUTPUTS + f];
    headBias[4 + f] = flags.b[f];
  }
  return { inputs: FEATURE_COUNT, hidden: H, kernel: k, recurrent: u, bias: b, head, headBias };
}

function layerConfig(model: tf.LayersModel, name: string): { layer: tf.layers.Layer; config: Record<string, unknown> } {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(name);
  } catch {
    throw new UnsupportedModelError(`no layer named '${name}'`);
  }
  return { layer, config: layer.getConfig() as Record<string, unknown> };
}

export interface StatefulLstmOptions {
  kernel?: KernelChoice;
  crossover?: number;
}

export class StatefulLstm {
  readonly hidden: number;
  readonly inputs = FEATURE_COUNT;
  readonly outputs = TARGET_COUNT;
  kernel: KernelChoice;
  crossover: number;
  // JS kernel weights: per unit j, per input q (x then h), the four gates' weights side by side.
  private readonly fused: Float32Array;
  private readonly fusedBias: Float64Array;
  private readonly inp: Float64Array;
  private readonly nz: Int32Array;
  private readonly regT: Float32Array;
  private readonly regB: Float32Array;
  private readonly flagsT: Float32Array;
  private readonly flagsB: Float32Array;
  private readonly gates: GateTensors;
  private readonly rfH: Float32Array;
  private readonly rfC: Float32Array;
  private readonly rfRow: Float32Array;
  private readonly rfOut: Float32Array;
  private xh = new Float32Array(0);
  /** The WebAssembly SIMD kernel, or null where SIMD is unavailable or H is not a multiple of 4. */
  readonly simd: SimdLstmKernel | null;
  private simdHead = new Float32Array(0);
  private disposed = false;

  constructor(model: tf.LayersModel, readonly scaler: StandardScaler, readonly version: string, options: StatefulLstmOptions = {}) {
    const { layer: lstm, config } = layerConfig(model, LSTM_LAYER);
    if (config.activation !== 'tanh' || config.recurrentActivation !== 'sigmoid' || config.useBias !== true) {
      throw new UnsupportedModelError(
        `LSTM must use activation tanh, recurrentActivation sigmoid and a bias (got ${String(config.activation)}, ${String(config.recurrentActivation)}, useBias=${String(config.useBias)})`,
      );
    }
    const [kernel, recurrent, bias] = lstm.getWeights();
    const H = recurrent.shape[0];
    if (kernel.shape[0] !== FEATURE_COUNT || kernel.shape[1] !== 4 * H || bias.shape[0] !== 4 * H) {
      throw new UnsupportedModelError(`LSTM kernel shape [${kernel.shape}] does not match ${FEATURE_COUNT} features and ${H} units`);
    }
    const head = (name: string, units: number, activation: string) => {
      const { layer, config: c } = layerConfig(model, name);
      if (c.activation !== activation) throw new UnsupportedModelError(`head ${name} must use ${activation}, not ${String(c.activation)}`);
      const [w, b] = layer.getWeights();
      if (w.shape[0] !== H || w.shape[1] !== units) throw new UnsupportedModelError(`head ${name} kernel shape [${w.shape}] expected [${H},${units}]`);
      return { w: w.dataSync() as Float32Array, b: b.dataSync() as Float32Array };
    };
    const reg = head(REGRESSION_HEAD, REGRESSION_OUTPUTS, 'linear');
    const flags = head(FLAGS_HEAD, FLAG_OUTPUTS, 'sigmoid');

    this.hidden = H;
    const { k, b } = foldScaler(kernel.dataSync() as Float32Array, bias.dataSync() as Float32Array, scaler, H);
    const u = recurrent.dataSync() as Float32Array;
    this.fused = fuseGates(k, u, FEATURE_COUNT, H);
    this.fusedBias = new Float64Array(4 * H);
    for (let j = 0; j < H; j++) for (let g = 0; g < 4; g++) this.fusedBias[4 * j + g] = b[g * H + j];
    this.inp = new Float64Array(FEATURE_COUNT + H);
    this.nz = new Int32Array(FEATURE_COUNT);
    this.regT = transpose(reg.w, H, REGRESSION_OUTPUTS);
    this.regB = Float32Array.from(reg.b);
    this.flagsT = transpose(flags.w, H, FLAG_OUTPUTS);
    this.flagsB = Float32Array.from(flags.b);
    // Keras kernel layout is [i | f | c | o] along the last axis: slice one [*, H] matrix per gate.
    this.gates = tf.tidy(() => {
      const kt = tf.tensor2d(k, [FEATURE_COUNT, 4 * H]);
      const ut = tf.tensor2d(u, [H, 4 * H]);
      const bt = tf.tensor2d(b, [1, 4 * H]);
      const slice = (t: tf.Tensor2D, g: number) => tf.keep(t.slice([0, g * H], [t.shape[0], H]));
      const wg = [0, 1, 2, 3].map((g) => kt.slice([0, g * H], [FEATURE_COUNT, H]));
      const ug = [0, 1, 2, 3].map((g) => ut.slice([0, g * H], [H, H]));
      return {
        wu: [0, 1, 2, 3].map((g) => tf.keep(tf.concat([wg[g], ug[g]], 0))),
        b1: [0, 1, 2, 3].map((g) => tf.keep(tf.tensor1d(b.subarray(g * H, (g + 1) * H)))),
        reg1: tf.keep(tf.tensor1d(reg.b)),
        flags1: tf.keep(tf.tensor1d(flags.b)),
        w: [0, 1, 2, 3].map((g) => slice(kt, g)),
        u: [0, 1, 2, 3].map((g) => slice(ut, g)),
        b: [0, 1, 2, 3].map((g) => slice(bt, g)),
        reg: tf.keep(tf.tensor2d(reg.w, [H, REGRESSION_OUTPUTS])),
        regB: tf.keep(tf.tensor2d(reg.b, [1, REGRESSION_OUTPUTS])),
        flags: tf.keep(tf.tensor2d(flags.w, [H, FLAG_OUTPUTS])),
        flagsB: tf.keep(tf.tensor2d(flags.b, [1, FLAG_OUTPUTS])),
      };
    });
    this.rfH = new Float32Array(H);
    this.rfC = new Float32Array(H);
    this.rfRow = new Float32Array(FEATURE_COUNT);
    this.rfOut = new Float32Array(TARGET_COUNT);
    this.simd = H % 4 === 0 && wasmSimdSupported() ? new SimdLstmKernel(simdWeights(k, u, b, reg, flags, scaler, H)) : null;
    if (options.kernel === 'simd' && this.simd === null) {
      throw new UnsupportedModelError(`kernel 'simd' needs WebAssembly SIMD and a hidden size that is a multiple of 4 (H=${H})`);
    }
    this.kernel = options.kernel ?? 'auto';
    // With the SIMD kernel, tfjs on wasm wins at no batch size (benchmarks/inference.ts); calibrate() may lower this.
    this.crossover = options.crossover ?? (this.simd !== null ? Number.MAX_SAFE_INTEGER : DEFAULT_CROSSOVER);
  }

  /** Name of the kernel a batch of n rows runs on. */
  kernelFor(n: number): 'js' | 'tfjs' | 'simd' {
    if (this.kernel === 'auto') return n >= this.crossover ? 'tfjs' : this.simd !== null ? 'simd' : 'js';
    return this.kernel;
  }

  /**
   * Steps n rows: x is n x F raw (unscaled) feature rows; h and c (n x H) are read as the state before and
   * overwritten with the state after; out (n x T) gets the unscaled prediction of the next packet.
   */
  step(n: number, x: Float32Array, h: Float32Array, c: Float32Array, out: Float32Array): void {
    if (n === 0) return;
    const k = this.kernelFor(n);
    if (k === 'simd') this.stepSimd(n, x, h, c, out);
    else if (k === 'js') this.stepJs(n, x, h, c, out);
    else this.stepTfjsFused(n, x, h, c, out);
  }

  /** Batch-1 and small-batch step on the fastest local kernel (SIMD where available and not `kernel: js`, else JS). */
  stepSmall(n: number, x: Float32Array, h: Float32Array, c: Float32Array, out: Float32Array): void {
    if (this.simd !== null && this.kernel !== 'js') this.stepSimd(n, x, h, c, out);
    else this.stepJs(n, x, h, c, out);
  }

  /**
   * Steps a chunk whose row i continues row dep[i] (< i, same key) or starts from its own h, c when
   * dep[i] is -1, all in row order (micro-batcher StepRequest layout). One call on the SIMD kernel
   * (kernel auto or simd), which steps row by row anyway, so no wavefront batching is needed; row by
   * row on the JS kernel otherwise.
   */
  stepChain(n: number, x: Float32Array, h: Float32Array, c: Float32Array, dep: Int32Array, out: Float32Array): void {
    const simd = this.simd;
    if (simd !== null && (this.kernel === 'auto' || this.kernel === 'simd')) {
      this.ensureSimdHead(n);
      simd.stepChain(n, x, h, c, dep, this.simdHead);
      this.unpackSimd(n, out);
      return;
    }
    const H = this.hidden;
    const F = FEATURE_COUNT;
    for (let i = 0; i < n; i++) {
      const d = dep[i];
      if (d >= i) throw new RangeError(`row ${i} depends on row ${d}, which is not earlier`);
      if (d >= 0) {
        h.copyWithin(i * H, d * H, (d + 1) * H);
        c.copyWithin(i * H, d * H, (d + 1) * H);
      }
      this.stepJs(1, x.subarray(i * F, (i + 1) * F), h.subarray(i * H, (i + 1) * H), c.subarray(i * H, (i + 1) * H), out.subarray(i * TARGET_COUNT, (i + 1) * TARGET_COUNT));
    }
  }

  private ensureSimdHead(n: number): void {
    if (this.simdHead.length < n * SIMD_HEAD_WIDTH) this.simdHead = new Float32Array(Math.max(n, 64) * SIMD_HEAD_WIDTH);
  }

  /** Copies the SIMD kernel's [size, entropy, iat, 0, flags] rows into the target layout. */
  private unpackSimd(n: number, out: Float32Array): void {
    const head = this.simdHead;
    for (let r = 0; r < n; r++) {
      const s = r * SIMD_HEAD_WIDTH;
      const o = r * TARGET_COUNT;
      out[o + TGT.size] = head[s];
      out[o + TGT.entropy] = head[s + 1];
      out[o + TGT.iat] = head[s + 2];
      for (let k = 0; k < FLAG_OUTPUTS; k++) out[o + TGT.flags + k] = head[s + 4 + k];
    }
  }

  /** The step on the WebAssembly SIMD kernel; head outputs come back unscaled (folded into the head weights). */
  stepSimd(n: number, x: Float32Array, h: Float32Array, c: Float32Array, out: Float32Array): void {
    const simd = this.simd;
    if (simd === null) throw new UnsupportedModelError('the SIMD kernel is not available here');
    this.ensureSimdHead(n);
    simd.step(n, x, h, c, this.simdHead);
    this.unpackSimd(n, out);
  }

  stepJs(n: number, x: Float32Array, h: Float32Array, c: Float32Array, out: Float32Array): void {
    const H = this.hidden;
    const F = FEATURE_COUNT;
    const I = F + H;
    const { fused, fusedBias, inp, nz } = this;
    for (let r = 0; r < n; r++) {
      const xo = r * F;
      const ho = r * H;
      // [x | h_old] once, so h can be overwritten unit by unit below; x's zeros (one-hots) skipped.
      let nnz = 0;
      for (let q = 0; q < F; q++) {
        const v = x[xo + q];
        inp[q] = v;
        if (v !== 0) nz[nnz++] = q;
      }
      for (let q = 0; q < H; q++) inp[F + q] = h[ho + q];
      for (let j = 0; j < H; j++) {
        // The four gates of unit j in one pass: weights interleaved [q][i, f, c, o].
        const base = j * I * 4;
        let zi = fusedBias[4 * j];
        let zf = fusedBias[4 * j + 1];
        let zc = fusedBias[4 * j + 2];
        let zo = fusedBias[4 * j + 3];
        for (let t = 0; t < nnz; t++) {
          const q = nz[t];
          const v = inp[q];
          const w = base + q * 4;
          zi += v * fused[w];
          zf += v * fused[w + 1];
          zc += v * fused[w + 2];
          zo += v * fused[w + 3];
        }
        for (let q = F, w = base + F * 4; q < I; q++, w += 4) {
          const v = inp[q];
          zi += v * fused[w];
          zf += v * fused[w + 1];
          zc += v * fused[w + 2];
          zo += v * fused[w + 3];
        }
        const cn = sigmoid(zf) * c[ho + j] + sigmoid(zi) * Math.tanh(zc);
        c[ho + j] = cn;
        h[ho + j] = sigmoid(zo) * Math.tanh(cn);
      }
      this.headsJs(h, ho, out, r * TARGET_COUNT);
    }
  }

  /** Both heads from one hidden vector, written unscaled at out[oo..]. */
  private headsJs(h: Float32Array, ho: number, out: Float32Array, oo: number): void {
    const H = this.hidden;
    for (let k = 0; k < REGRESSION_OUTPUTS; k++) {
      let acc = this.regB[k];
      const w = k * H;
      for (let q = 0; q < H; q++) acc += h[ho + q] * this.regT[w + q];
      out[oo + REGRESSION_TARGET_SLOTS[k]] = this.scaler.unscale(REGRESSION_TARGET_COLS[k], acc);
    }
    for (let k = 0; k < FLAG_OUTPUTS; k++) {
      let acc = this.flagsB[k];
      const w = k * H;
      for (let q = 0; q < H; q++) acc += h[ho + q] * this.flagsT[w + q];
      out[oo + TGT.flags + k] = sigmoid(acc);
    }
  }

  stepTfjs(n: number, x: Float32Array, h: Float32Array, c: Float32Array, out: Float32Array): void {
    const H = this.hidden;
    const g = this.gates;
    const width = 2 * H + REGRESSION_OUTPUTS + FLAG_OUTPUTS;
    // One concatenated result, read back OUTSIDE tidy (dataSync inside tidy walks every element).
    const packed = tf.tidy(() => {
      const xt = tf.tensor2d(x.subarray(0, n * FEATURE_COUNT), [n, FEATURE_COUNT]);
      const ht = tf.tensor2d(h.subarray(0, n * H), [n, H]);
      const ct = tf.tensor2d(c.subarray(0, n * H), [n, H]);
      const pre = (k: number) => tf.add(tf.add(tf.matMul(xt, g.w[k]), tf.matMul(ht, g.u[k])), g.b[k]);
      const ig = tf.sigmoid(pre(0));
      const fg = tf.sigmoid(pre(1));
      const gg = tf.tanh(pre(2));
      const og = tf.sigmoid(pre(3));
      const c2 = tf.add(tf.mul(fg, ct), tf.mul(ig, gg));
      const h2 = tf.mul(og, tf.tanh(c2));
      const reg = tf.add(tf.matMul(h2, g.reg), g.regB);
      const flags = tf.sigmoid(tf.add(tf.matMul(h2, g.flags), g.flagsB));
      return tf.concat([h2, c2, reg, flags], 1);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    this.unpack(n, data, width, h, c, out);
  }

  /** Scatters packed [h' | c' | regression | flags] rows into the caller's arrays (unscaled). */
  private unpack(n: number, data: Float32Array, width: number, h: Float32Array, c: Float32Array, out: Float32Array): void {
    const H = this.hidden;
    for (let r = 0; r < n; r++) {
      const src = r * width;
      h.set(data.subarray(src, src + H), r * H);
      c.set(data.subarray(src + H, src + 2 * H), r * H);
      const oo = r * TARGET_COUNT;
      for (let k = 0; k < REGRESSION_OUTPUTS; k++) {
        out[oo + REGRESSION_TARGET_SLOTS[k]] = this.scaler.unscale(REGRESSION_TARGET_COLS[k], data[src + 2 * H + k]);
      }
      for (let k = 0; k < FLAG_OUTPUTS; k++) out[oo + TGT.flags + k] = data[src + 2 * H + REGRESSION_OUTPUTS + k];
    }
  }

  /**
   * The same step with [x | h] packed host-side, so each gate's two matMuls, bias and
   * activation are one fused op (about half the ops of stepTfjs; see benchmarks/inference.ts).
   */
  stepTfjsFused(n: number, x: Float32Array, h: Float32Array, c: Float32Array, out: Float32Array): void {
    const H = this.hidden;
    const F = FEATURE_COUNT;
    const I = F + H;
    const g = this.gates;
    if (this.xh.length < n * I) this.xh = new Float32Array(n * I);
    const xh = this.xh;
    for (let r = 0; r < n; r++) {
      xh.set(x.subarray(r * F, (r + 1) * F), r * I);
      xh.set(h.subarray(r * H, (r + 1) * H), r * I + F);
    }
    const width = 2 * H + REGRESSION_OUTPUTS + FLAG_OUTPUTS;
    const packed = tf.tidy(() => {
      const a = tf.tensor2d(xh.subarray(0, n * I), [n, I]);
      const ct = tf.tensor2d(c.subarray(0, n * H), [n, H]);
      const ig = tf.fused.matMul({ a, b: g.wu[0], bias: g.b1[0], activation: 'sigmoid' });
      const fg = tf.fused.matMul({ a, b: g.wu[1], bias: g.b1[1], activation: 'sigmoid' });
      const gg = tf.tanh(tf.fused.matMul({ a, b: g.wu[2], bias: g.b1[2] }));
      const og = tf.fused.matMul({ a, b: g.wu[3], bias: g.b1[3], activation: 'sigmoid' });
      const c2 = tf.add(tf.mul(fg, ct), tf.mul(ig, gg));
      const h2 = tf.mul(og, tf.tanh(c2));
      const reg = tf.fused.matMul({ a: h2, b: g.reg, bias: g.reg1 });
      const flags = tf.fused.matMul({ a: h2, b: g.flags, bias: g.flags1, activation: 'sigmoid' });
      return tf.concat([h2, c2, reg, flags], 1);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    this.unpack(n, data, width, h, c, out);
  }

  /**
   * Feeds the model's own predictions back as the next inputs for k packets, starting from the
   * state after `lastRawRow` (unscaled features of the VM's last real packet). Protocol,
   * direction and port class are carried over from that packet; peer novelty is set to 0.
   * Returns k predicted packets; the caller's h and c are not modified.
   */
  rollForward(h: ArrayLike<number>, c: ArrayLike<number>, lastRawRow: ArrayLike<number>, k: number): PredictedPacket[] {
    const result: PredictedPacket[] = [];
    if (k <= 0) return result;
    const { rfH, rfC, rfRow, rfOut } = this;
    for (let j = 0; j < this.hidden; j++) {
      rfH[j] = h[j];
      rfC[j] = c[j];
    }
    this.headsJs(rfH, 0, rfOut, 0);
    result.push(decodePrediction(rfOut, 0));
    for (let s = 1; s < k; s++) {
      for (let j = 0; j < FEATURE_COUNT; j++) rfRow[j] = lastRawRow[j];
      rfRow[COL.size] = Math.max(0, rfOut[TGT.size]);
      rfRow[COL.iat] = Math.max(0, rfOut[TGT.iat]);
      for (let b = 0; b < 8; b++) rfRow[COL.flags + b] = rfOut[TGT.flags + b] >= 0.5 ? 1 : 0;
      rfRow[COL.entropy] = Math.min(1, Math.max(0, rfOut[TGT.entropy]));
      rfRow[COL.newPeer] = 0;
      this.stepSmall(1, rfRow, rfH, rfC, rfOut);
      result.push(decodePrediction(rfOut, 0));
    }
    return result;
  }

  /**
   * Measures the local kernel (SIMD, else JS) and tfjs at a few batch sizes and sets `crossover` to
   * the smallest batch where tfjs is faster (Infinity-like when it never is). Takes tens of
   * milliseconds. With the SIMD kernel and tfjs on wasm or cpu it measures nothing: those run on the
   * same CPU with per-op overhead on top and lost at every batch size (benchmarks/inference.ts),
   * and on a busy machine one unlucky sample would otherwise move the whole stream onto tfjs.
   */
  calibrate(batches: readonly number[] = [1, 8, 32, 64, 128, 256, 512], reps = 7): number {
    if (this.simd !== null && (tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu')) {
      this.crossover = Number.MAX_SAFE_INTEGER;
      return this.crossover;
    }
    const H = this.hidden;
    const max = Math.max(...batches);
    const x = new Float32Array(max * FEATURE_COUNT).map((_, i) => Math.sin(i));
    const h = new Float32Array(max * H);
    const c = new Float32Array(max * H);
    const out = new Float32Array(max * TARGET_COUNT);
    // Median of reps: on a shared machine one descheduling must not move the crossover.
    const time = (fn: () => void) => {
      fn();
      const t: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t0 = process.hrtime.bigint();
        fn();
        t.push(Number(process.hrtime.bigint() - t0));
      }
      return t.sort((a, b) => a - b)[reps >> 1];
    };
    let crossover = Number.MAX_SAFE_INTEGER;
    for (const n of [...batches].sort((a, b) => a - b)) {
      const js = time(() => this.stepSmall(n, x, h.fill(0), c.fill(0), out));
      const tfjs = time(() => this.stepTfjsFused(n, x, h.fill(0), c.fill(0), out));
      if (tfjs < js) {
        crossover = n;
        break;
      }
    }
    this.crossover = crossover;
    return crossover;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const g = this.gates;
    tf.dispose([...g.wu, ...g.b1, g.reg1, g.flags1, ...g.w, ...g.u, ...g.b, g.reg, g.regB, g.flags, g.flagsB]);
  }
}
