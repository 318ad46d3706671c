/**
 * A tiny WebAssembly binary writer: just the instructions and sections the SIMD LSTM kernel
 * (simd-lstm-kernel.ts) emits, so the kernel is generated at load time for the model's hidden size
 * with no build-time assembler dependency.
 */

/** Opcodes used by the kernel generator (core MVP and the 0xfd-prefixed SIMD proposal). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32LtU: 0x49,
  f32Ne: 0x5c,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
} as const;

/** SIMD sub-opcodes (after the 0xfd prefix). */
export const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  f32x4Splat: 0x13,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  i32x4TruncSatF32x4S: 0xf8,
} as const;

export const VALTYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
const BLOCK_VOID = 0x40;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Appends instructions to one function body; every method returns `this` for chaining. */
export class CodeWriter {
  readonly bytes: number[] = [];

  op(code: number): this {
    this.bytes.push(code);
    return this;
  }

  simd(code: number): this {
    this.bytes.push(0xfd, ...uleb(code));
    return this;
  }

  get(local: number): this {
    this.bytes.push(OP.localGet, ...uleb(local));
    return this;
  }

  set(local: number): this {
    this.bytes.push(OP.localSet, ...uleb(local));
    return this;
  }

  tee(local: number): this {
    this.bytes.push(OP.localTee, ...uleb(local));
    return this;
  }

  i32(v: number): this {
    this.bytes.push(OP.i32Const, ...sleb(v | 0));
    return this;
  }

  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.bytes.push(OP.f32Const, ...b);
    return this;
  }

  /** v128.const with four f32 lanes equal to v. */
  f32x4(v: number): this {
    const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
    this.simd(SIMD.const).bytes.push(...b);
    return this;
  }

  /** v128.const with four i32 lanes equal to v. */
  i32x4(v: number): this {
    const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
    this.simd(SIMD.const).bytes.push(...b);
    return this;
  }

  /** i32.load with a constant byte offset from the address on the stack. */
  i32Load(offset: number): this {
    this.bytes.push(OP.i32Load, 2, ...uleb(offset));
    return this;
  }

  /** f32.load with a constant byte offset from the address on the stack. */
  f32Load(offset: number): this {
    this.bytes.push(OP.f32Load, 2, ...uleb(offset));
    return this;
  }

  v128Load(offset: number): this {
    this.simd(SIMD.load).bytes.push(4, ...uleb(offset));
    return this;
  }

  v128Load32Splat(offset: number): this {
    this.simd(SIMD.load32Splat).bytes.push(2, ...uleb(offset));
    return this;
  }

  v128Store(offset: number): this {
    this.simd(SIMD.store).bytes.push(4, ...uleb(offset));
    return this;
  }

  block(): this {
    this.bytes.push(OP.block, BLOCK_VOID);
    return this;
  }

  loop(): this {
    this.bytes.push(OP.loop, BLOCK_VOID);
    return this;
  }

  if(): this {
    this.bytes.push(OP.if, BLOCK_VOID);
    return this;
  }

  end(): this {
    this.bytes.push(OP.end);
    return this;
  }

  brIf(depth: number): this {
    this.bytes.push(OP.brIf, ...uleb(depth));
    return this;
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = Buffer.from(s, 'utf8');
  return [...uleb(b.length), ...b];
}

export interface FunctionSpec {
  name: string;
  params: number[];
  /** Extra locals after the params, in declaration order. */
  locals: number[];
  code: CodeWriter;
}

/** A module with one exported memory (`memory`, `pages` 64 KiB pages) and exported functions returning nothing. */
export function buildModule(pages: number, fns: readonly FunctionSpec[]): Uint8Array {
  const types = fns.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]);
  const funcs = fns.map((_, i) => uleb(i));
  const memory = [0x00, ...uleb(pages)]; // limits: min only
  const exported = [[...name('memory'), 0x02, 0], ...fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])];
  const bodies = fns.map((f) => {
    const decls = f.locals.map((t) => [1, t]);
    const body = [...vec(decls), ...f.code.bytes, OP.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs)),
    ...section(5, vec([memory])),
    ...section(7, vec(exported)),
    ...section(10, vec(bodies)),
  ]);
}
