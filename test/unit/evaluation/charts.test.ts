import { bucketScores, renderVegaLiteSvg, rocCurve, rocSpec, sampleRoc, scoreColumns, scoreTimelineSpec } from '../../../evaluation';

describe('score timeline', () => {
  const cols = scoreColumns([
    { score: 1, tsUs: 1_000_000, vmId: 'a' },
    { score: 5, tsUs: 1_100_000, vmId: 'a' }, // same 250 ms bucket as the one above: max 5
    { score: 2, tsUs: 1_300_000, vmId: 'a' },
    { score: 7, tsUs: 1_050_000, vmId: 'b' },
    { score: Number.NaN, tsUs: 1_060_000, vmId: 'b' }, // unscored: not plotted
  ]);

  it('keeps the per-VM maximum per bucket', () => {
    const b = bucketScores(cols, 250_000, 100);
    expect(b.bucketUs).toBe(250_000);
    expect(b.points).toEqual([
      { t: 0, vm: 'a', score: 5 },
      { t: 0, vm: 'b', score: 7 },
      { t: 0.25, vm: 'a', score: 2 },
    ]);
  });

  it('widens the buckets until the points fit', () => {
    const b = bucketScores(cols, 250_000, 2);
    expect(b.bucketUs).toBe(500_000);
    expect(b.points).toEqual([{ t: 0, vm: 'a', score: 5 }, { t: 0, vm: 'b', score: 7 }]);
  });

  it('buckets only the chosen VMs, from a shared origin, so attacked VMs keep fine buckets', () => {
    const onlyB = bucketScores(cols, 250_000, 1, new Set([1]));
    expect(onlyB.bucketUs).toBe(250_000);
    expect(onlyB.points).toEqual([{ t: 0, vm: 'b', score: 7 }]);
    const shifted = bucketScores(cols, 250_000, 10, new Set([1]), 800_000);
    expect(shifted.points).toEqual([{ t: 0.25, vm: 'b', score: 7 }]);
  });

  it('renders to SVG with the attack shaded and the attacked VM drawn as a line', async () => {
    const attacks = [{ id: 'x', kind: 'port_scan', vmId: 'a', knownPeer: false, packets: 2, flagged: 1, recall: 0.5, firstPacketUs: 1_000_000, lastPacketUs: 1_300_000, firstAnomalyUs: null, delayMs: 'missed' as const }];
    const svg = await renderVegaLiteSvg(scoreTimelineSpec(cols, attacks, { threshold: { value: 6, label: 't' } }), 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('mark-rect role-mark'); // the shaded attack
    expect(svg).toContain('mark-line role-mark'); // the attacked VM
    expect(svg).toContain('mark-rule role-mark'); // the threshold
    expect(svg).toContain('attacked VM');
  }, 20000);
});

describe('ROC chart', () => {
  it('samples a long curve down and keeps its end', () => {
    const n = 20000;
    const s = Array.from({ length: n }, (_, i) => i);
    const y = Uint8Array.from(s, (i) => (i % 7 === 0 ? 1 : 0));
    const c = rocCurve(s, y);
    const pts = sampleRoc(c, 300);
    expect(pts.length).toBeLessThan(600);
    expect(pts[pts.length - 1]).toEqual({ fpr: 1, tpr: 1 });
    for (let i = 1; i < pts.length; i++) expect(pts[i].fpr).toBeGreaterThanOrEqual(pts[i - 1].fpr);
  });

  it('renders two series to SVG', async () => {
    const c = rocCurve([3, 2, 1, 0], Uint8Array.from([1, 0, 1, 0]));
    const pts = [{ maxFpr: 0.01, tpr: 0.5, fpr: 0, threshold: 3 }];
    const svg = await renderVegaLiteSvg(rocSpec([{ name: 'raw', curve: c, auc: 0.75, points: pts }, { name: 'norm', curve: c, auc: 0.75, points: pts }], 'ROC test'), 'roc');
    expect(svg).toContain('raw (AUC 0.7500)');
    expect(svg).toContain('norm (AUC 0.7500)');
  }, 20000);
});
