/**
 * Array and map types that stop reading once the buffer is exhausted. avsc trusts the block count
 * it reads, so garbage claiming 2^40 items would loop (or allocate) for minutes before noticing the
 * overflow; these check the read position on every item instead. Installed through `typeHook`, so
 * resolvers (which copy `_read`) and skipped writer fields get the same guard. Relies on avsc 5's
 * internal Tap (pos, buf, readLong); the garbage fuzz test fails if that changes.
 */
import { Type, types } from 'avsc';

/** The part of avsc's internal Tap these readers use. */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
  skipString(): void;
}

interface ValueReader {
  _read(tap: Tap): unknown;
  _skip(tap: Tap): void;
}

/** `this` is the type itself or, when decoding with a resolver, the resolver (which has itemsType too). */
function readArray(this: { itemsType: ValueReader }, tap: Tap): unknown[] {
  const items = this.itemsType;
  const out: unknown[] = [];
  const end = tap.buf.length;
  let n: number;
  while ((n = tap.readLong())) {
    if (n < 0) {
      n = -n;
      tap.skipLong(); // block size in bytes, unused
    }
    for (; n > 0; n--) {
      if (tap.pos > end) return out; // overflowed: decode() reports it as truncated
      out.push(items._read(tap));
    }
  }
  return out;
}

function skipArray(this: { itemsType: ValueReader }, tap: Tap): void {
  const items = this.itemsType;
  const end = tap.buf.length;
  let n: number;
  while ((n = tap.readLong())) {
    if (n < 0) {
      tap.pos += tap.readLong();
      continue;
    }
    for (; n > 0; n--) {
      if (tap.pos > end) return;
      items._skip(tap);
    }
  }
}

function readMap(this: { valuesType: ValueReader }, tap: Tap): Record<string, unknown> {
  const values = this.valuesType;
  const out: Record<string, unknown> = {};
  const end = tap.buf.length;
  let n: number;
  while ((n = tap.readLong())) {
    if (n < 0) {
      n = -n;
      tap.skipLong();
    }
    for (; n > 0; n--) {
      if (tap.pos > end) return out;
      const key = tap.readString();
      out[key] = values._read(tap);
    }
  }
  return out;
}

function skipMap(this: { valuesType: ValueReader }, tap: Tap): void {
  const values = this.valuesType;
  const end = tap.buf.length;
  let n: number;
  while ((n = tap.readLong())) {
    if (n < 0) {
      tap.pos += tap.readLong();
      continue;
    }
    for (; n > 0; n--) {
      if (tap.pos > end) return;
      tap.skipString();
      values._skip(tap);
    }
  }
}

class BoundedArrayType extends types.ArrayType {}
Object.assign(BoundedArrayType.prototype, { _read: readArray, _skip: skipArray });

class BoundedMapType extends types.MapType {}
Object.assign(BoundedMapType.prototype, { _read: readMap, _skip: skipMap });

/** avsc `typeHook` that builds every array and map as a bounded one. */
export function boundedCollectionsHook(schema: unknown, opts: unknown): Type | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema) || Type.isType(schema)) return undefined;
  const s = schema as { type?: unknown; logicalType?: unknown };
  if (s.logicalType !== undefined) return undefined;
  if (s.type === 'array') return new BoundedArrayType(schema as never, opts);
  if (s.type === 'map') return new BoundedMapType(schema as never, opts);
  return undefined;
}

/** Fewest bytes one value of `type` takes on the wire (0 for null and empty records). */
function minEncodedBytes(type: Type, seen: Set<Type>): number {
  if (Type.isType(type, 'logical')) return minEncodedBytes((type as unknown as { underlyingType: Type }).underlyingType, seen);
  switch (type.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return (type as unknown as { size: number }).size;
    case 'record':
    case 'error': {
      if (seen.has(type)) return 0; // recursion goes through a union or collection, which adds its own byte
      seen.add(type);
      let total = 0;
      for (const f of (type as unknown as { fields: { type: Type }[] }).fields) total += minEncodedBytes(f.type, seen);
      seen.delete(type);
      return total;
    }
    default:
      return 1; // boolean, int, long, bytes, string, enum, union index, collection terminator
  }
}

/**
 * Refuses arrays whose items can take zero bytes: the per-item position check above cannot bound
 * those, so garbage could still loop. Returns the path of the offending array, or undefined.
 */
export function findUnboundedArray(type: Type, path = '', seen = new Set<Type>()): string | undefined {
  if (seen.has(type)) return undefined;
  seen.add(type);
  if (Type.isType(type, 'logical')) return findUnboundedArray((type as unknown as { underlyingType: Type }).underlyingType, path, seen);
  if (Type.isType(type, 'union')) {
    for (const t of (type as unknown as { types: Type[] }).types) {
      const found = findUnboundedArray(t, path, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  switch (type.typeName) {
    case 'array': {
      const items = (type as unknown as { itemsType: Type }).itemsType;
      if (minEncodedBytes(items, new Set()) === 0) return path || '<root>';
      return findUnboundedArray(items, `${path}[]`, seen);
    }
    case 'map':
      return findUnboundedArray((type as unknown as { valuesType: Type }).valuesType, `${path}{}`, seen);
    case 'record':
    case 'error':
      for (const f of (type as unknown as { fields: { name: string; type: Type }[] }).fields) {
        const found = findUnboundedArray(f.type, path ? `${path}.${f.name}` : f.name, seen);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}
