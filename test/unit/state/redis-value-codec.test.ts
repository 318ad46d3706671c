import fc from 'fast-check';
import { decodeStateCell, decodeStateValue, encodeStateCell, encodeStateValue } from '../../../state/redis-value-codec';

const roundTrip = (v: unknown): unknown => decodeStateValue(encodeStateValue(v));

describe('redis state value codec', () => {
  test('typed arrays come back with their type and bytes, aligned', () => {
    const f32 = Float32Array.from([0.1, -2.5, 1e30]);
    // A view into the middle of a bigger buffer: only its own bytes are stored.
    const f64 = new Float64Array(new ArrayBuffer(64), 16, 3);
    f64.set([Math.PI, -0, 1e-300]);
    const back = roundTrip({ h: f32, c: f64, i: Int32Array.from([-1, 2 ** 31 - 1]), b: BigInt64Array.from([-5n]) }) as Record<string, ArrayBufferView>;
    expect(back.h).toBeInstanceOf(Float32Array);
    expect(Array.from(back.h as Float32Array)).toEqual(Array.from(f32));
    expect(back.c).toBeInstanceOf(Float64Array);
    expect(Array.from(back.c as Float64Array)).toEqual([Math.PI, -0, 1e-300]);
    expect(Array.from(back.i as Int32Array)).toEqual([-1, 2 ** 31 - 1]);
    expect(Array.from(back.b as BigInt64Array)).toEqual([-5n]);
  });

  test('Buffers, Maps, Sets, bigints and non-finite numbers survive, nested', () => {
    const v = {
      payload: Buffer.from([0, 255, 7]),
      ports: new Map<number, number>([[443, 3], [53, 1]]),
      seen: new Set(['a', 'b']),
      big: 2n ** 70n,
      odd: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5],
      nested: new Map([['x', { buf: Buffer.from('hi') }]]),
    };
    const back = roundTrip(v) as typeof v;
    expect(Buffer.isBuffer(back.payload)).toBe(true);
    expect(back).toEqual(v);
    expect(back.odd[0]).toBeNaN();
  });

  test('cells carry their write time only when given', () => {
    expect(decodeStateCell(encodeStateCell([1, 2], 1234))).toEqual({ value: [1, 2], writtenAtMs: 1234 });
    expect(decodeStateCell(encodeStateCell('v', undefined))).toEqual({ value: 'v', writtenAtMs: undefined });
  });

  test('any JSON value round-trips unchanged', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => expect(roundTrip(v)).toEqual(v)), { numRuns: 300 });
  });

  test('an unknown typed-array tag is an error, not a silent plain object', () => {
    expect(() => decodeStateValue('{"v":{"$ta":"Float16Array","b64":""}}')).toThrow(/Float16Array/);
  });
});

it('keeps negative zero (JSON alone turns it into 0)', () => {
  expect(Object.is((decodeStateValue(encodeStateValue({ x: -0 })) as { x: number }).x, -0)).toBe(true);
});
