import { FixedHistogram, PacketSampler } from '../../../telemetry';

function pickAll(s: PacketSampler, total: number, chunk: number): number[] {
  const out: number[] = [];
  for (let base = 0; base < total; base += chunk) {
    const n = Math.min(chunk, total - base);
    const k = s.pick(n);
    for (let i = 0; i < k; i++) out.push(base + s.picked[i]);
  }
  return out;
}

describe('PacketSampler', () => {
  it('samples each packet with the given probability (binomial bounds)', () => {
    const p = 0.001;
    const total = 2_000_000;
    const picked = pickAll(new PacketSampler(p, 12345), total, 256);
    const mean = total * p;
    const sd = Math.sqrt(total * p * (1 - p));
    expect(Math.abs(picked.length - mean)).toBeLessThan(5 * sd);
    for (let i = 1; i < picked.length; i++) expect(picked[i]).toBeGreaterThan(picked[i - 1]);
  });

  it('picks the same packets whatever the chunking', () => {
    expect(pickAll(new PacketSampler(0.05, 7), 10_000, 1)).toEqual(pickAll(new PacketSampler(0.05, 7), 10_000, 300));
  });

  it('takes every packet at 1 and none at 0, and refuses ratios outside [0, 1]', () => {
    expect(pickAll(new PacketSampler(1), 1000, 64)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(pickAll(new PacketSampler(0), 1000, 64)).toEqual([]);
    expect(() => new PacketSampler(1.5)).toThrow(RangeError);
    expect(() => new PacketSampler(-0.1)).toThrow(RangeError);
  });
});

describe('FixedHistogram', () => {
  it('counts values in inclusive-upper-bound buckets', () => {
    const h = new FixedHistogram([1, 2, 5]);
    for (const v of [0, 1, 1.5, 2, 3, 5, 7, 100]) h.record(v);
    expect(Array.from(h.counts)).toEqual([2, 2, 2, 2]);
    expect(h.count).toBe(8);
    expect(h.sum).toBeCloseTo(119.5);
    expect(h.min).toBe(0);
    expect(h.max).toBe(100);
    expect(() => new FixedHistogram([1, 1])).toThrow(RangeError);
  });
});
