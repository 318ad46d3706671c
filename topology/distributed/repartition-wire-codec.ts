/**
 * The bytes of a repartition record: the state value codec's JSON (state/redis-value-codec.ts),
 * written and read without its replacer/reviver when the value has nothing they would change.
 * JSON.stringify/parse call a replacer/reviver once per key and value, which made them 5-8% of a
 * Kafka worker's CPU (benchmarks/results/bench-2026-11-26-kafka-cpu/worker-profile.md); the typical
 * update (baseline's ProfileUpdate: numbers and number arrays) needs neither. The text is the same
 * either way, so old and new workers read each other's records.
 */
import { decodeStateValue, encodeStateValue } from '../../state/redis-value-codec';

/** Deeper than this, the plain check gives up and the tagged codec decides (and reports cycles). */
const MAX_DEPTH = 64;

/**
 * True when JSON.stringify(value) without a replacer writes what the state codec's replacer would:
 * no NaN/Infinity/-0, bigint, typed array, Buffer, Map or Set anywhere, and no toJSON (Buffer and
 * Date have one; the replacer sees the value before it). Functions and symbols are left out by
 * both. No allocation: this runs for every update sent.
 */
export function isPlainJson(v: unknown, depth = 0): boolean {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'function':
    case 'symbol':
      return true;
    case 'object': {
      if (v === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isPlainJson(v[i], depth + 1)) return false;
        return true;
      }
      if (ArrayBuffer.isView(v) || v instanceof Map || v instanceof Set) return false;
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
      const o = v as Record<string, unknown>;
      for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k) && !isPlainJson(o[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Same text as encodeStateValue(value). */
export function encodeWireValue(value: unknown): string {
  return isPlainJson(value) ? JSON.stringify({ v: value }) : encodeStateValue(value);
}

/**
 * Same value as decodeStateValue(text). Every tag the reviver rebuilds is an object key starting
 * with '$'; JSON.stringify never escapes '$', so text without `"$` and without a \u escape (which
 * could spell one) has no tag and parses the same without the reviver.
 */
export function decodeWireValue(text: string): unknown {
  if (text.indexOf('"$') >= 0 || text.indexOf('\\u') >= 0) return decodeStateValue(text);
  return (JSON.parse(text) as { v: unknown }).v;
}
