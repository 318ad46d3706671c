// The state value codec's plain shortcut (what repartition values take): it must write and read
// exactly what the tagged path does.
import fc from 'fast-check';
import { decodeStateValue, decodeStateValueTagged, encodeStateValue, encodeStateValueTagged } from '../../../state/redis-value-codec';
import { isPlainJson } from '../../../state/plain-json';

const special = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0),
  fc.bigInt().map((b) => b),
  fc.array(fc.float({ noNaN: true }), { maxLength: 4 }).map((a) => Float32Array.from(a)),
  fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)),
  fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 3 }).map((e) => new Map(e)),
  fc.array(fc.integer(), { maxLength: 3 }).map((a) => new Set(a)),
);
const leaf = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, special, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 5 }), tie('tree'), { maxKeys: 4 })),
}));

describe('state value codec: plain shortcut', () => {
  it('writes the same text as the tagged path, for plain and tagged values alike', () => {
    fc.assert(fc.property(tree, (v) => encodeStateValue(v) === encodeStateValueTagged(v)), { numRuns: 400 });
  });

  it('reads back the same value as the tagged path', () => {
    fc.assert(
      fc.property(tree, (v) => {
        const text = encodeStateValueTagged(v);
        expect(decodeStateValue(text)).toEqual(decodeStateValueTagged(text));
      }),
      { numRuns: 400 },
    );
  });

  it('a ProfileUpdate-like value takes the plain path; each special value does not', () => {
    const update = { o: 2, n: 'baseline-account', v: { n: 3, w: 2.5, lastUs: 1_764_165_000_123_456, sums: [0.1, 2, 3], proto: [1, 0], ports: [], peers: [12345], outPorts: undefined } };
    expect(isPlainJson(update)).toBe(true);
    for (const s of [NaN, -0, Infinity, 1n, new Float64Array(2), Buffer.from('a'), new Map(), new Set(), new Date(0)]) {
      expect(isPlainJson({ a: [1, { b: s }] })).toBe(false);
    }
  });

  it('a plain object that looks like a tag is read back as the tag, as the reviver does', () => {
    const text = encodeStateValue({ x: { $set: [1, 2] }, y: { $num: 'NaN' } });
    expect(decodeStateValue(text)).toEqual({ x: new Set([1, 2]), y: NaN });
    // A \u escape spelling '$' is read by the reviver too.
    expect(decodeStateValue('{"v":{"\\u0024big":"7"}}')).toBe(7n);
  });

  it('a cycle still fails like JSON.stringify', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => encodeStateValue(a)).toThrow(TypeError);
  });
});
