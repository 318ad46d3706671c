import fc from 'fast-check';
import { averagePrecision, rocAuc, rocCurve, tprAtFpr } from '../../../evaluation';

const labels = (xs: number[]): Uint8Array => Uint8Array.from(xs);

/** Brute force over all (positive, negative) pairs: the definition of AUC. */
function pairAuc(s: number[], y: number[]): number {
  let sum = 0, n = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
    if (y[i] !== 1 || y[j] !== 0) continue;
    sum += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    n++;
  }
  return sum / n;
}

/** AP by its definition: over each distinct threshold t, (recall(t) - recall(prev)) * precision(t). */
function definitionAp(s: number[], y: number[]): number {
  const ts = [...new Set(s)].sort((a, b) => b - a);
  const P = y.filter((v) => v === 1).length;
  let prevRecall = 0, ap = 0;
  for (const t of ts) {
    const flagged = s.map((v, i) => (v >= t ? i : -1)).filter((i) => i >= 0);
    const tp = flagged.filter((i) => y[i] === 1).length;
    const recall = tp / P;
    ap += (recall - prevRecall) * (tp / flagged.length);
    prevRecall = recall;
  }
  return ap;
}

describe('ROC AUC', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 when everything ties', () => {
    expect(rocAuc([0.9, 0.8, 0.1, 0.2], labels([1, 1, 0, 0]))).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.9, 0.8], labels([1, 1, 0, 0]))).toBe(0);
    expect(rocAuc([3, 3, 3, 3], labels([1, 0, 1, 0]))).toBe(0.5);
  });

  it('matches the hand count on a small case', () => {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.8 beats both, 0.35 beats 0.1 only: 3 of 4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], labels([0, 0, 1, 1]))).toBeCloseTo(0.75, 12);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Positive 1 vs negatives 1 (tie: 0.5) and 0 (win: 1) -> 0.75.
    expect(rocAuc([1, 1, 0], labels([1, 0, 0]))).toBeCloseTo(0.75, 12);
  });

  it('ranks an unscored packet (NaN) below everything', () => {
    expect(rocAuc([Number.NaN, 0.5], labels([0, 1]))).toBe(1);
    expect(rocAuc([Number.NaN, -1e30], labels([1, 0]))).toBe(0);
  });

  it('is NaN with only one class', () => {
    expect(rocAuc([1, 2], labels([0, 0]))).toBeNaN();
    expect(rocAuc([1, 2], labels([1, 1]))).toBeNaN();
  });

  it('equals the pair-counting definition on random data with many ties', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 2, maxLength: 60 }),
      (rows) => {
        const s = rows.map((r) => r[0]);
        const y = rows.map((r) => (r[1] ? 1 : 0));
        if (!y.includes(1) || !y.includes(0)) return;
        expect(rocAuc(s, labels(y))).toBeCloseTo(pairAuc(s, y), 10);
      },
    ), { numRuns: 200 });
  });
});

describe('average precision', () => {
  it('matches the hand computation', () => {
    // Descending: 0.8 (pos) P=1 R=.5; 0.4 (neg); 0.35 (pos) P=2/3 R=1 -> 0.5*1 + 0.5*2/3.
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], labels([0, 0, 1, 1]))).toBeCloseTo(0.5 + 1 / 3, 12);
  });

  it('does not split a tie: a positive tied with a negative gets precision 1/2', () => {
    expect(averagePrecision([1, 1, 0], labels([1, 0, 0]))).toBeCloseTo(0.5, 12);
  });

  it('equals its definition on random data with ties', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 1, maxLength: 50 }),
      (rows) => {
        const s = rows.map((r) => r[0]);
        const y = rows.map((r) => (r[1] ? 1 : 0));
        if (!y.includes(1)) return;
        expect(averagePrecision(s, labels(y))).toBeCloseTo(definitionAp(s, y), 10);
      },
    ), { numRuns: 200 });
  });
});

describe('TPR at a false-positive budget', () => {
  // 1000 negatives scored 0..999; 10 positives above them all, 10 in the middle (500.5).
  const s = [...Array.from({ length: 1000 }, (_, i) => i), ...Array(10).fill(2000), ...Array(10).fill(500.5)];
  const y = [...Array(1000).fill(0), ...Array(20).fill(1)];
  const curve = rocCurve(s, labels(y));

  it('finds the best threshold within the budget', () => {
    const a = tprAtFpr(curve, 0.001);
    expect(a.tpr).toBe(0.5);
    expect(a.fpr).toBe(0.001); // the negative at 999 fits the budget of exactly one
    expect(a.threshold).toBe(999);
    const b = tprAtFpr(curve, 0.01);
    expect(b.tpr).toBe(0.5);
    expect(b.fpr).toBeCloseTo(0.01, 12);
    const c = tprAtFpr(curve, 0.5);
    expect(c.tpr).toBe(1);
    expect(c.fpr).toBe(0.5);
  });

  it('gives TPR 0 at threshold +Infinity when the top score is a negative over budget', () => {
    const r = tprAtFpr(rocCurve([5, 1, 0], labels([0, 1, 0])), 0.1);
    expect(r.tpr).toBe(0);
    expect(r.threshold).toBe(Number.POSITIVE_INFINITY);
  });

  it('never splits a tie to meet the budget', () => {
    // Positive and 2 negatives tie at the top: taking the tie costs FPR 2/3, over a 0.5 budget.
    const r = tprAtFpr(rocCurve([9, 9, 9, 1], labels([1, 0, 0, 0])), 0.5);
    expect(r.tpr).toBe(0);
  });

  it('has one point per distinct score, plus (0, 0)', () => {
    const c = rocCurve([3, 3, 2, 1], labels([1, 0, 1, 0]));
    expect(Array.from(c.thresholds)).toEqual([Infinity, 3, 2, 1]);
    expect(Array.from(c.tpr)).toEqual([0, 0.5, 1, 1]);
    expect(Array.from(c.fpr)).toEqual([0, 0.5, 0.5, 1]);
  });
});
