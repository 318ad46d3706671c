// The repartition wire codec (topology/distributed) is here because it is the Kafka worker-cost work of
// the bench task (issue 4): it must write and read exactly what the state value codec does.
import fc from 'fast-check';
import { decodeStateValue, encodeStateValue } from '../../../../state/redis-value-codec';
import { decodeWireValue, encodeWireValue, isPlainJson } from '../../../../topology/distributed/repartition-wire-codec';

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

describe('repartition wire codec', () => {
  it('writes the same text as the state value codec, for plain and tagged values alike', () => {
    fc.assert(fc.property(tree, (v) => encodeWireValue(v) === encodeStateValue(v)), { numRuns: 400 });
  });

  it('reads back the same value as the state value codec', () => {
    fc.assert(
      fc.property(tree, (v) => {
        const text = encodeStateValue(v);
        expect(decodeWireValue(text)).toEqual(decodeStateValue(text));
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
    const text = encodeWireValue({ x: { $set: [1, 2] }, y: { $num: 'NaN' } });
    expect(decodeWireValue(text)).toEqual({ x: new Set([1, 2]), y: NaN });
    // A \u escape spelling '$' is read by the reviver too.
    expect(decodeWireValue('{"v":{"\\u0024big":"7"}}')).toBe(7n);
  });

  it('a cycle still fails like JSON.stringify', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => encodeWireValue(a)).toThrow(TypeError);
  });
});
