/**
 * The cell codec's plain shortcut (no replacer/reviver when nothing needs a tag) against the tagged
 * path it replaces: same text out, same value back, both ways, on arbitrary values including the
 * tagged kinds (typed arrays, Buffers, Maps, Sets, bigints, NaN/Infinity/-0, Dates, '$' keys).
 */
import fc from 'fast-check';
import { decodeStateCell, decodeStateCellTagged, encodeStateCell, encodeStateCellTagged } from '../../../state/redis-value-codec';
import { hasNoTags, isPlainJson } from '../../../state/plain-json';

const special = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1.5),
  fc.bigInt(),
  fc.float32Array({ maxLength: 4 }),
  fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
  fc.date({ noInvalidDate: true }),
  fc.constantFrom({ $map: [[1, 2]] }, { $set: [1] }, { $num: 'NaN' }, { $big: '7' }, { $ta: 'Buffer', b64: 'AAE=' }, { a$: 1 }),
);
const leaf = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.fullUnicodeString({ maxLength: 4 }), fc.boolean(), fc.constant(null), special);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('$map', '$set', '$x', 'v', 'w')), tie('tree'), { maxKeys: 4 }),
    fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie('tree')), { maxLength: 3 }).map((es) => new Map(es)),
    fc.array(fc.integer(), { maxLength: 3 }).map((xs) => new Set(xs)),
  ),
}));
/** A decode's value, or its error (a '$' key the reviver cannot rebuild throws on both paths). */
function outcome(f: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: String(e) };
  }
}
const written = fc.option(fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.double()), { nil: undefined });

describe('state cell codec: plain shortcut vs tagged path', () => {
  test('encodeStateCell writes the tagged path\'s text, byte for byte', () => {
    fc.assert(fc.property(tree, written, (v, w) => encodeStateCell(v, w) === encodeStateCellTagged(v, w)), { numRuns: 600 });
  });

  test('decodeStateCell reads any text as the tagged path does (texts of both encoders)', () => {
    fc.assert(
      fc.property(tree, written, (v, w) => {
        for (const text of [encodeStateCellTagged(v, w), encodeStateCell(v, w)]) expect(outcome(() => decodeStateCell(text))).toEqual(outcome(() => decodeStateCellTagged(text)));
      }),
      { numRuns: 600 },
    );
  });

  test('the shortcut is taken for plain profiles and not for values needing a tag', () => {
    const profile = { n: 16, w: 15.3, sums: [1, 2.5, 1e4], peers: [7], note: 'x' };
    expect(isPlainJson(profile)).toBe(true);
    expect(hasNoTags(encodeStateCell(profile, 1234))).toBe(true);
    for (const bad of [Number.NaN, -0, 2n, new Float32Array(1), Buffer.from('a'), new Map(), new Set(), new Date(0)]) {
      expect(isPlainJson({ a: [1, { b: bad }] })).toBe(false);
    }
    // Tagged values still round-trip through the public functions.
    const v = { h: Float32Array.from([0.5]), m: new Map([['k', 1]]), x: Number.NaN };
    expect(decodeStateCell(encodeStateCell(v, 5))).toEqual({ value: v, writtenAtMs: 5 });
    // A '$' key written by a plain value, or a \u escape, sends the reader to the reviver.
    expect(hasNoTags('{"v":{"$set":[1]}}')).toBe(false);
    expect(hasNoTags('{"v":"\\u0024"}')).toBe(false);
    expect(decodeStateCell('{"v":{"$set":[1]}}').value).toEqual(new Set([1]));
  });

  test('a cycle is refused on both paths', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    expect(() => encodeStateCell(o, undefined)).toThrow(TypeError);
  });
});
