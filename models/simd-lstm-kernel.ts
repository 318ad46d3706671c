/**
 * A hand-written WebAssembly SIMD (f32x4) kernel for the batched LSTM cell step plus both heads,
 * generated at load time for the model's sizes (wasm-bytes.ts). Why: tfjs-wasm pays per-op
 * overhead (~150 us per step at batch 1) and the JS kernel is scalar; this one does the whole step
 * in one call with no allocation, at any batch size.
 *
 * Per row: the 4H gate pre-activations are accumulated in tiles of up to 32 (8 v128 registers),
 * weights laid out tile-major so each input's 32 weights are contiguous; zero inputs (the one-hot
 * columns) are skipped. Activations use a Cephes-style exp (relative error ~1e-7).
 */
import { buildModule, CodeWriter, SIMD, OP, VALTYPE } from './wasm-bytes';

/** Head outputs per row in the kernel's buffer: [reg0, reg1, reg2, pad, flag0..flag7]. */
export const SIMD_HEAD_WIDTH = 12;
const TILE_VECTORS = 8;
const PAGE = 65536;

export interface SimdLstmWeights {
  inputs: number;
  hidden: number;
  /** [inputs, 4H] input kernel, Keras gate blocks [i | f | c | o]. */
  kernel: Float32Array;
  /** [H, 4H] recurrent kernel. */
  recurrent: Float32Array;
  /** [4H] */
  bias: Float32Array;
  /** [H, 12]: columns 0-2 linear outputs, 3 unused, 4-11 sigmoid outputs. */
  head: Float32Array;
  /** [12] */
  headBias: Float32Array;
}

interface Layout {
  tiles: Array<{ start: number; width: number; offset: number }>;
  bias: number;
  head: number;
  headBias: number;
  z: number;
  x: number;
  h: number;
  c: number;
  out: number;
  dep: number;
  bytes: number;
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

function layout(F: number, H: number, capacity: number): Layout {
  const I = F + H;
  const vectors = H; // 4H floats = H vectors
  let at = 0;
  const tiles: Layout['tiles'] = [];
  for (let start = 0; start < vectors; start += TILE_VECTORS) {
    const width = Math.min(TILE_VECTORS, vectors - start);
    tiles.push({ start, width, offset: at });
    at += I * width * 16;
  }
  const bias = at;
  at += align16(16 * H);
  const head = at;
  at += align16(H * SIMD_HEAD_WIDTH * 4);
  const headBias = at;
  at += 64;
  const z = at;
  at += align16(16 * H);
  const x = at;
  at += align16(capacity * F * 4);
  const h = at;
  at += align16(capacity * H * 4);
  const c = at;
  at += align16(capacity * H * 4);
  const out = at;
  at += align16(capacity * SIMD_HEAD_WIDTH * 4);
  const dep = at;
  at += align16(capacity * 4);
  return { tiles, bias, head, headBias, z, x, h, c, out, dep, bytes: at };
}

// Locals of `step` (param 0 is n).
const L = {
  n: 0, r: 1, xRow: 2, hRow: 3, cRow: 4, oRow: 5, p: 6, ip: 7, end: 8, v: 9,
  s: 10, acc: 11, // acc0..acc7 = 11..18
  a: 19, fx: 20, zz: 21, gi: 22, cn: 23,
  hSrc: 24, cSrc: 25, d: 26,
} as const;
const LOCALS = [
  VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.f32,
  VALTYPE.v128, ...new Array<number>(TILE_VECTORS).fill(VALTYPE.v128),
  VALTYPE.v128, VALTYPE.v128, VALTYPE.v128, VALTYPE.v128, VALTYPE.v128,
  VALTYPE.i32, VALTYPE.i32, VALTYPE.i32,
];

/**
 * exp(local a) onto the stack (a is clobbered): Cephes expf range reduction and polynomial.
 * The argument is clamped to [-20, 20], not expf's full range: sigmoid then stays >= 2e-9 and its
 * products (i*g, f*c, o*tanh c) stay normal floats. Subnormals cost ~100 cycles each on x86 and
 * made a trained model with saturated gates 3-4x slower. Beyond +-20, sigmoid is 1 in float32
 * and 0 within 2e-9, tanh (argument +-10) is +-1 in float32.
 */
function emitExp(w: CodeWriter): void {
  w.get(L.a).f32x4(20).simd(SIMD.f32x4Min).f32x4(-20).simd(SIMD.f32x4Max).set(L.a);
  w.get(L.a).f32x4(1.44269504088896341).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Nearest).set(L.fx);
  w.get(L.a).get(L.fx).f32x4(0.693359375).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Sub);
  w.get(L.fx).f32x4(-2.12194440e-4).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Sub).tee(L.a);
  w.get(L.a).simd(SIMD.f32x4Mul).set(L.zz);
  const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  w.f32x4(P[0]);
  for (let k = 1; k < P.length; k++) w.get(L.a).simd(SIMD.f32x4Mul).f32x4(P[k]).simd(SIMD.f32x4Add);
  w.get(L.zz).simd(SIMD.f32x4Mul).get(L.a).simd(SIMD.f32x4Add).f32x4(1).simd(SIMD.f32x4Add);
  // * 2^fx, built as the float with exponent bits fx + 127.
  w.get(L.fx).simd(SIMD.i32x4TruncSatF32x4S).i32x4(127).simd(SIMD.i32x4Add).i32(23).simd(SIMD.i32x4Shl);
  w.simd(SIMD.f32x4Mul);
}

/** sigmoid of the v128 on the stack. */
function emitSigmoid(w: CodeWriter): void {
  w.simd(SIMD.f32x4Neg).set(L.a);
  w.f32x4(1).f32x4(1);
  emitExp(w);
  w.simd(SIMD.f32x4Add).simd(SIMD.f32x4Div);
}

/** tanh of the v128 on the stack, as 2 / (1 + exp(-2x)) - 1. */
function emitTanh(w: CodeWriter): void {
  w.f32x4(-2).simd(SIMD.f32x4Mul).set(L.a);
  w.f32x4(2).f32x4(1);
  emitExp(w);
  w.simd(SIMD.f32x4Add).simd(SIMD.f32x4Div).f32x4(1).simd(SIMD.f32x4Sub);
}

/**
 * acc_k += splat(input) * W[p + 16k] over inputs [ip, end); p advances by width*16 per input.
 * skipZeros for the feature row (one-hot columns are mostly 0); the hidden state is dense.
 */
function emitAccumulate(w: CodeWriter, width: number, skipZeros: boolean): void {
  w.loop();
  if (skipZeros) w.get(L.ip).f32Load(0).tee(L.v).f32(0).op(OP.f32Ne).if().get(L.v).simd(SIMD.f32x4Splat).set(L.s);
  else w.get(L.ip).v128Load32Splat(0).set(L.s);
  for (let k = 0; k < width; k++) {
    w.get(L.acc + k).get(L.s).get(L.p).v128Load(16 * k).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(L.acc + k);
  }
  if (skipZeros) w.end();
  w.get(L.p).i32(width * 16).op(OP.i32Add).set(L.p);
  w.get(L.ip).i32(4).op(OP.i32Add).tee(L.ip).get(L.end).op(OP.i32LtU).brIf(0);
  w.end();
}

/**
 * The body of `step` (chain false: rows independent, each reads its own h, c) or `chain` (row r
 * reads the NEW state of row dep[r] < r when dep[r] >= 0: consecutive packets of one key in one call).
 */
function emitStep(F: number, H: number, lay: Layout, chain: boolean): CodeWriter {
  const w = new CodeWriter();
  const H4 = H * 4;
  w.i32(lay.x).set(L.xRow).i32(lay.h).set(L.hRow).i32(lay.c).set(L.cRow).i32(lay.out).set(L.oRow);
  w.block().loop();
  w.get(L.r).get(L.n).op(OP.i32LtU).op(OP.i32Eqz).brIf(1);
  if (chain) {
    // Source state: this row's own slot (dep -1) or the dependency's freshly written one.
    w.get(L.r).i32(4).op(OP.i32Mul).i32Load(lay.dep).set(L.d);
    w.get(L.hRow).i32(lay.h).get(L.d).i32(H4).op(OP.i32Mul).op(OP.i32Add).get(L.d).i32(0).op(OP.i32LtS).op(OP.select).set(L.hSrc);
    w.get(L.cRow).i32(lay.c).get(L.d).i32(H4).op(OP.i32Mul).op(OP.i32Add).get(L.d).i32(0).op(OP.i32LtS).op(OP.select).set(L.cSrc);
  } else {
    w.get(L.hRow).set(L.hSrc).get(L.cRow).set(L.cSrc);
  }
  // Gate pre-activations, tile by tile, into z.
  for (const t of lay.tiles) {
    for (let k = 0; k < t.width; k++) w.i32(0).v128Load(lay.bias + 16 * (t.start + k)).set(L.acc + k);
    w.i32(t.offset).set(L.p);
    w.get(L.xRow).tee(L.ip).i32(F * 4).op(OP.i32Add).set(L.end);
    emitAccumulate(w, t.width, true);
    w.get(L.hSrc).tee(L.ip).i32(H4).op(OP.i32Add).set(L.end);
    emitAccumulate(w, t.width, false);
    for (let k = 0; k < t.width; k++) w.i32(0).get(L.acc + k).v128Store(lay.z + 16 * (t.start + k));
  }
  // Cell and hidden state, 4 units at a time (ip = byte offset of the unit group).
  w.i32(0).set(L.ip);
  w.loop();
  w.get(L.ip).v128Load(lay.z);
  emitSigmoid(w);
  w.get(L.ip).v128Load(lay.z + 2 * H4);
  emitTanh(w);
  w.simd(SIMD.f32x4Mul).set(L.gi);
  w.get(L.ip).v128Load(lay.z + H4);
  emitSigmoid(w);
  w.get(L.cSrc).get(L.ip).op(OP.i32Add).v128Load(0).simd(SIMD.f32x4Mul).get(L.gi).simd(SIMD.f32x4Add).set(L.cn);
  w.get(L.cRow).get(L.ip).op(OP.i32Add).get(L.cn).v128Store(0);
  w.get(L.hRow).get(L.ip).op(OP.i32Add);
  w.get(L.ip).v128Load(lay.z + 3 * H4);
  emitSigmoid(w);
  w.get(L.cn);
  emitTanh(w);
  w.simd(SIMD.f32x4Mul).v128Store(0);
  w.get(L.ip).i32(16).op(OP.i32Add).tee(L.ip).i32(H4).op(OP.i32LtU).brIf(0);
  w.end();
  // Heads from the new h: 12 outputs in 3 vectors.
  for (let k = 0; k < 3; k++) w.i32(0).v128Load(lay.headBias + 16 * k).set(L.acc + k);
  w.i32(lay.head).set(L.p);
  w.get(L.hRow).tee(L.ip).i32(H4).op(OP.i32Add).set(L.end);
  w.loop();
  w.get(L.ip).v128Load32Splat(0).set(L.s);
  for (let k = 0; k < 3; k++) w.get(L.acc + k).get(L.s).get(L.p).v128Load(16 * k).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(L.acc + k);
  w.get(L.p).i32(SIMD_HEAD_WIDTH * 4).op(OP.i32Add).set(L.p);
  w.get(L.ip).i32(4).op(OP.i32Add).tee(L.ip).get(L.end).op(OP.i32LtU).brIf(0);
  w.end();
  w.get(L.oRow).get(L.acc).v128Store(0);
  w.get(L.oRow).get(L.acc + 1);
  emitSigmoid(w);
  w.v128Store(16);
  w.get(L.oRow).get(L.acc + 2);
  emitSigmoid(w);
  w.v128Store(32);
  // Next row.
  w.get(L.xRow).i32(F * 4).op(OP.i32Add).set(L.xRow);
  w.get(L.hRow).i32(H4).op(OP.i32Add).set(L.hRow);
  w.get(L.cRow).i32(H4).op(OP.i32Add).set(L.cRow);
  w.get(L.oRow).i32(SIMD_HEAD_WIDTH * 4).op(OP.i32Add).set(L.oRow);
  w.get(L.r).i32(1).op(OP.i32Add).set(L.r);
  w.op(OP.br).bytes.push(0);
  w.end().end();
  return w;
}

function generate(F: number, H: number, lay: Layout): Uint8Array {
  return buildModule(Math.ceil(lay.bytes / PAGE), [
    { name: 'step', params: [VALTYPE.i32], locals: LOCALS, code: emitStep(F, H, lay, false) },
    { name: 'chain', params: [VALTYPE.i32], locals: LOCALS, code: emitStep(F, H, lay, true) },
  ]);
}

/** The few WebAssembly JS-API members used here (tsconfig's lib has no WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let simdSupport: boolean | undefined;

/** Whether this runtime runs WebAssembly SIMD (Node >= 16.4 does). */
export function wasmSimdSupported(): boolean {
  if (simdSupport === undefined) {
    try {
      const w = new CodeWriter();
      w.i32(0).f32x4(1).v128Store(0);
      simdSupport = wasm.validate(buildModule(1, [{ name: 'f', params: [], locals: [], code: w }]));
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport === true;
}

/**
 * The compiled kernel for one model. `step` copies the rows into wasm memory in pieces of at most
 * `capacity` rows, runs them, and copies the new h, c and the 12 head outputs per row back.
 */
export class SimdLstmKernel {
  readonly inputs: number;
  readonly hidden: number;
  readonly capacity: number;
  private readonly run: (n: number) => void;
  private readonly runChain: (n: number) => void;
  private readonly mem: Float32Array;
  private readonly memDep: Int32Array;
  private readonly lay: Layout;

  constructor(weights: SimdLstmWeights, capacity = 512) {
    const F = weights.inputs;
    const H = weights.hidden;
    if (H % 4 !== 0) throw new RangeError(`the SIMD kernel needs a hidden size that is a multiple of 4, got ${H}`);
    this.inputs = F;
    this.hidden = H;
    this.capacity = capacity;
    const lay = layout(F, H, capacity);
    this.lay = lay;
    const instance = new wasm.Instance(new wasm.Module(generate(F, H, lay)), {});
    const memory = instance.exports.memory as { buffer: ArrayBuffer };
    this.mem = new Float32Array(memory.buffer);
    this.memDep = new Int32Array(memory.buffer);
    this.run = instance.exports.step as (n: number) => void;
    this.runChain = instance.exports.chain as (n: number) => void;
    const G = 4 * H;
    const I = F + H;
    // Tile-major weights: tile t, input q, then the tile's 4*width gate columns.
    for (const t of lay.tiles) {
      const cols = t.width * 4;
      let o = t.offset / 4;
      for (let q = 0; q < I; q++) {
        const src = q < F ? weights.kernel : weights.recurrent;
        const row = (q < F ? q : q - F) * G + t.start * 4;
        this.mem.set(src.subarray(row, row + cols), o);
        o += cols;
      }
    }
    this.mem.set(weights.bias.subarray(0, G), lay.bias / 4);
    this.mem.set(weights.head.subarray(0, H * SIMD_HEAD_WIDTH), lay.head / 4);
    this.mem.set(weights.headBias.subarray(0, SIMD_HEAD_WIDTH), lay.headBias / 4);
  }

  /**
   * Steps n rows: x (n x F), h and c (n x H) in/out as in StatefulLstm.step; head (n x 12) gets
   * [linear0..2, 0, sigmoid0..7] per row.
   */
  step(n: number, x: Float32Array, h: Float32Array, c: Float32Array, head: Float32Array): void {
    const F = this.inputs;
    const H = this.hidden;
    const { mem, lay } = this;
    const X = lay.x / 4, Hs = lay.h / 4, C = lay.c / 4, O = lay.out / 4;
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      mem.set(x.subarray(s * F, (s + m) * F), X);
      mem.set(h.subarray(s * H, (s + m) * H), Hs);
      mem.set(c.subarray(s * H, (s + m) * H), C);
      this.run(m);
      h.set(mem.subarray(Hs, Hs + m * H), s * H);
      c.set(mem.subarray(C, C + m * H), s * H);
      head.set(mem.subarray(O, O + m * SIMD_HEAD_WIDTH), s * SIMD_HEAD_WIDTH);
    }
  }

  /**
   * Steps n rows where row i continues row dep[i] (< i) of the same key, or starts from its own h, c
   * when dep[i] is -1 (micro-batcher StepRequest layout): a whole chunk in one call, in row order.
   * After it, h, c and head hold every row's new state and outputs.
   */
  stepChain(n: number, x: Float32Array, h: Float32Array, c: Float32Array, dep: Int32Array, head: Float32Array): void {
    const F = this.inputs;
    const H = this.hidden;
    const { mem, memDep, lay } = this;
    const X = lay.x / 4, Hs = lay.h / 4, C = lay.c / 4, O = lay.out / 4, D = lay.dep / 4;
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      mem.set(x.subarray(s * F, (s + m) * F), X);
      mem.set(h.subarray(s * H, (s + m) * H), Hs);
      mem.set(c.subarray(s * H, (s + m) * H), C);
      for (let i = 0; i < m; i++) {
        const d = dep[s + i];
        if (d >= i + s) throw new RangeError(`row ${s + i} depends on row ${d}, which is not earlier`);
        if (d >= s) memDep[D + i] = d - s;
        else {
          // Dependency in an earlier piece: its new state is already back in h, c.
          memDep[D + i] = -1;
          if (d >= 0) {
            mem.set(h.subarray(d * H, (d + 1) * H), Hs + i * H);
            mem.set(c.subarray(d * H, (d + 1) * H), C + i * H);
          }
        }
      }
      this.runChain(m);
      h.set(mem.subarray(Hs, Hs + m * H), s * H);
      c.set(mem.subarray(C, C + m * H), s * H);
      head.set(mem.subarray(O, O + m * SIMD_HEAD_WIDTH), s * SIMD_HEAD_WIDTH);
    }
  }
}
