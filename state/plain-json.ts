/**
 * Whether a value's JSON text needs the state codec's replacer at all (state/redis-value-codec.ts).
 * JSON.stringify/parse call a replacer/reviver once per key and value; the typical checkpoint cell
 * and repartition update (numbers, strings, plain arrays and objects) needs neither, and skipping
 * them writes the same text. Shared by the Redis cell codec and the repartition wire codec.
 */

/** Deeper than this, the plain check gives up and the tagged codec decides (and reports cycles). */
const MAX_DEPTH = 64;

/**
 * True when JSON.stringify(value) without a replacer writes what the state codec's replacer would:
 * no NaN/Infinity/-0, bigint, typed array, Buffer, Map or Set anywhere, and no toJSON (Buffer and
 * Date have one; the replacer sees the value before it). Functions and symbols are left out by
 * both. No allocation: this runs for every cell and update written.
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

/**
 * True when JSON.parse(text) without the reviver gives the same value as with it. Every tag the
 * reviver rebuilds is an object key starting with '$'; JSON.stringify never escapes '$', so text
 * without `"$` and without a \u escape (which could spell one) has no tag.
 */
export function hasNoTags(text: string): boolean {
  return text.indexOf('"$') < 0 && text.indexOf('\\u') < 0;
}
