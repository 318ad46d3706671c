import fc from 'fast-check';
import { OffsetTracker } from '../../../../topology/distributed/offset-tracker';

describe('OffsetTracker', () => {
  test('names the offset of the first record not yet processed, mid-batch and across dead letters', () => {
    const t = new OffsetTracker(10);
    // Batch 1: offsets 10..14, 12 was dead-lettered. Batch 2: 15..19, 18 and 19 dead-lettered.
    t.append([10, 11, 13, 14], 10, 15);
    t.append([15, 16, 17], 15, 20);
    expect(t.coveredOffset(0)).toBe(10);
    expect(t.coveredOffset(2)).toBe(13);
    expect(t.coveredOffset(4)).toBe(15);
    expect(t.coveredOffset(6)).toBe(17);
    // The whole batch is in state, its trailing dead letters with it.
    expect(t.coveredOffset(7)).toBe(20);
    expect(t.pendingBatches).toBe(0);
  });

  test('without a checkpoint it starts at the first batch, and never goes back', () => {
    const t = new OffsetTracker(undefined);
    expect(t.coveredOffset(0)).toBeUndefined();
    t.append([], 40, 42); // a batch of dead letters only
    expect(t.coveredOffset(0)).toBe(42);
    t.append([42, 43], 42, 44);
    expect(t.coveredOffset(1)).toBe(43);
    expect(() => t.coveredOffset(3)).toThrow(RangeError);
  });

  test('property: covered offset = offset of record #processed in the first unfinished batch, else the end', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (batches, probes) => {
        // Each boolean is one Kafka record: true = decoded, false = dead-lettered.
        const t = new OffsetTracker(0);
        const segs: Array<{ start: number; offsets: number[] }> = [];
        let off = 0;
        let count = 0;
        for (const b of batches) {
          const offsets: number[] = [];
          for (const ok of b) {
            if (ok) offsets.push(off);
            off++;
          }
          t.append(offsets, off - b.length, off);
          segs.push({ start: count, offsets });
          count += offsets.length;
        }
        let prev = 0;
        // A task's processed count only grows.
        for (const n of probes.map((raw) => raw % (count + 1)).sort((a, b) => a - b)) {
          const open = segs.find((g) => g.start + g.offsets.length > n);
          const expected = open === undefined ? off : open.offsets[n - open.start];
          const got = t.coveredOffset(n) as number;
          expect(got).toBe(expected);
          expect(got).toBeGreaterThanOrEqual(prev);
          prev = got;
        }
      },
    ));
  });
});
