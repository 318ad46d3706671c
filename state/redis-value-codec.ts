/**
 * State values <-> JSON text for Redis. Plain JSON loses typed arrays (LSTM h/c are
 * Float32Array), Buffers, Maps, Sets, bigints and non-finite numbers; these are written as tagged
 * objects ({"$ta":"Float32Array","b64":"..."}, {"$map":[[k,v],...]}, {"$set":[...]},
 * {"$big":"123"}, {"$num":"NaN"}) and rebuilt on read. A typed array's bytes are copied into a
 * fresh ArrayBuffer, so Float64Array alignment holds. Caveat: a plain object whose only keys are
 * exactly such a tag reads back as the tagged type.
 * Values and cells with nothing to tag skip the replacer/reviver (same text, same value): they ran
 * once per key and value and made encodeStateCell 17-20% of a Kafka worker's CPU, the repartition
 * values (encodeStateValue) 5-8%. The *Tagged functions always take the tagged path: the reference
 * the shortcuts are tested and benchmarked against.
 */
import { hasNoTags, isPlainJson } from './plain-json';

type TypedArrayCtor = new (buffer: ArrayBuffer) => ArrayBufferView;

const TYPED: Record<string, TypedArrayCtor> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // `this[key]` is the value before toJSON (Buffer.toJSON would have turned it into {type,data}).
  const raw = this[key];
  // JSON has no NaN, Infinity or -0 (String(-0) is '0'): those three are tagged.
  if (typeof raw === 'number') return Number.isFinite(raw) && !Object.is(raw, -0) ? raw : { $num: Object.is(raw, -0) ? '-0' : String(raw) };
  if (typeof raw === 'bigint') return { $big: raw.toString() };
  if (raw === null || typeof raw !== 'object') return value;
  if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) {
    const b64 = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
    return { $ta: Buffer.isBuffer(raw) ? 'Buffer' : raw.constructor.name, b64 };
  }
  if (raw instanceof Map) return { $map: [...raw.entries()] };
  if (raw instanceof Set) return { $set: [...raw.values()] };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 2 && typeof o.$ta === 'string' && typeof o.b64 === 'string') {
    const bytes = Buffer.from(o.b64, 'base64');
    if (o.$ta === 'Buffer') return bytes;
    const Ctor = TYPED[o.$ta];
    if (Ctor === undefined) throw new TypeError(`unknown typed array '${o.$ta}' in stored state`);
    return new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
  if (keys.length !== 1) return value;
  if (Array.isArray(o.$map)) return new Map(o.$map as Array<[unknown, unknown]>);
  if (Array.isArray(o.$set)) return new Set(o.$set as unknown[]);
  if (typeof o.$big === 'string') return BigInt(o.$big);
  if (typeof o.$num === 'string') return Number(o.$num);
  return value;
}

/** Same text as encodeStateValueTagged. */
export function encodeStateValue(value: unknown): string {
  return isPlainJson(value) ? JSON.stringify({ v: value }) : encodeStateValueTagged(value);
}

/** Same value as decodeStateValueTagged. */
export function decodeStateValue(text: string): unknown {
  return hasNoTags(text) ? (JSON.parse(text) as { v: unknown }).v : decodeStateValueTagged(text);
}

/** The value codec without the plain shortcut: reference for tests and benchmarks. */
export function encodeStateValueTagged(value: unknown): string {
  return JSON.stringify({ v: value }, replacer);
}

export function decodeStateValueTagged(text: string): unknown {
  return (JSON.parse(text, reviver) as { v: unknown }).v;
}

/** One stored cell: the value and, for TTL states, its last write time. Same text as encodeStateCellTagged. */
export function encodeStateCell(value: unknown, writtenAtMs: number | undefined): string {
  if (!isPlainJson(value) || (writtenAtMs !== undefined && !isPlainJson(writtenAtMs))) return encodeStateCellTagged(value, writtenAtMs);
  return JSON.stringify(writtenAtMs === undefined ? { v: value } : { v: value, w: writtenAtMs });
}

/** Same result as decodeStateCellTagged. */
export function decodeStateCell(text: string): { value: unknown; writtenAtMs: number | undefined } {
  if (!hasNoTags(text)) return decodeStateCellTagged(text);
  const o = JSON.parse(text) as { v: unknown; w?: number };
  return { value: o.v, writtenAtMs: o.w };
}

/** The cell codec without the plain shortcut (as before it): reference for tests and benchmarks. */
export function encodeStateCellTagged(value: unknown, writtenAtMs: number | undefined): string {
  return JSON.stringify(writtenAtMs === undefined ? { v: value } : { v: value, w: writtenAtMs }, replacer);
}

export function decodeStateCellTagged(text: string): { value: unknown; writtenAtMs: number | undefined } {
  const o = JSON.parse(text, reviver) as { v: unknown; w?: number };
  return { value: o.v, writtenAtMs: o.w };
}
