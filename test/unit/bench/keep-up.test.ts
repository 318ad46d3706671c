import { judgeKeepUp, newLatencyHistogram, parseBenchConfig, toStepResult, type StepMeasurement } from '../../../benchmarks/bench';

const config = parseBenchConfig({ durationSec: 1, warmupSec: 0 });

/** A step at 10k/s for 1 s whose verdicts came `latUs` after their intended times. */
function measurement(over: Partial<StepMeasurement> & { latUs?: (i: number) => number; verdicts?: number } = {}): StepMeasurement {
  const h = newLatencyHistogram();
  const n = over.verdicts ?? 10_000;
  const lat = over.latUs ?? ((i: number) => 100 + (i % 100));
  let last = 0;
  for (let i = 0; i < n; i++) {
    h.recordValue(lat(i));
    last = Math.max(last, i * 100 + lat(i));
  }
  return {
    mode: 'embedded', variant: 'v', offeredPps: 10_000, scheduled: 10_000, sent: 10_000, measuredScheduled: 10_000,
    histogram: h, measuredVerdicts: n, measureFromUs: 0, lastVerdictUs: last, endUs: last + 10, maxScheduleLagUs: 200, aborted: false,
    ...over,
  };
}

describe('could-not-keep-up detection', () => {
  it('a step that kept up gets its percentiles', () => {
    const r = toStepResult(measurement(), config);
    expect(r.keptUp).toBe(true);
    expect(r.reasons).toEqual([]);
    expect(r.achievedPps).toBeGreaterThan(9_900);
    expect(r.latencyUs).not.toBeNull();
    expect(r.latencyUs!.p50).toBeGreaterThanOrEqual(140);
    expect(r.latencyUs!.p50).toBeLessThanOrEqual(160);
    expect(r.latencyUs!.max).toBeGreaterThanOrEqual(199);
    expect(r.latencyUs!.count).toBe(10_000);
    expect(r.percentileCurve!.map((p) => p.percentile)).toContain(99.9);
  });

  it('a pipeline whose latency keeps growing achieves less than offered: no percentiles, and says why', () => {
    // Each packet waits 10 µs more than the one before: the backlog grows, the last verdict lands at 2 s.
    const r = toStepResult(measurement({ latUs: (i) => 100 + i * 100 }), config);
    expect(r.achievedPps).toBeLessThan(5_100);
    expect(r.keptUp).toBe(false);
    expect(r.latencyUs).toBeNull();
    expect(r.percentileCurve).toBeNull();
    expect(r.reasons.join(' ')).toMatch(/achieved \d+ packets\/s < 97% of offered 10000/);
    expect(r.histogram.length).toBeGreaterThan(0);
  });

  it('a generator that fell behind its schedule marks the step even when the rate looks fine', () => {
    const r = toStepResult(measurement({ maxScheduleLagUs: 80_000 }), config);
    expect(r.keptUp).toBe(false);
    expect(r.latencyUs).toBeNull();
    expect(r.reasons.join(' ')).toContain('generator fell 80.0 ms behind');
  });

  it('missing verdicts (not drained) are a reason; an aborted generator says so instead', () => {
    const r = toStepResult(measurement({ verdicts: 9_000 }), config);
    expect(r.drained).toBe(false);
    expect(r.reasons.some((x) => x.includes('drain'))).toBe(true);
    expect(r.latencyUs).toBeNull();
    const a = toStepResult(measurement({ verdicts: 9_000, aborted: true }), config);
    expect(a.reasons.some((x) => x.includes('generator stopped'))).toBe(true);
    expect(a.reasons.some((x) => x.includes('drain'))).toBe(false);
    expect(a.latencyUs).toBeNull();
  });

  it('achieved rate over the whole step when given (an overloaded step still shows its real throughput)', () => {
    // 20k verdicts over 4 s of a step whose measured part had few verdicts.
    const r = toStepResult(measurement({ throughput: { verdicts: 20_000, fromUs: -1_000_000, toUs: 3_000_000 } }), config);
    expect(r.achievedPps).toBeCloseTo(5_000, 6);
    expect(r.keptUp).toBe(false);
  });

  it('judgeKeepUp uses the configured thresholds', () => {
    const k = { ...config.keepUp, minAchievedRatio: 0.9, maxScheduleLagMs: 10 };
    expect(judgeKeepUp({ offeredPps: 1000, achievedPps: 905, maxScheduleLagMs: 9, aborted: false, drained: true }, k)).toEqual([]);
    expect(judgeKeepUp({ offeredPps: 1000, achievedPps: 895, maxScheduleLagMs: 9, aborted: false, drained: true }, k)).toHaveLength(1);
    expect(judgeKeepUp({ offeredPps: 1000, achievedPps: 905, maxScheduleLagMs: 11, aborted: false, drained: true }, k)).toHaveLength(1);
  });
});
