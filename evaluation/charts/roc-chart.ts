/** The ROC curve as a Vega-Lite spec, false-positive rate on a log axis so 0.001 and 0.01 are readable. */
import type { OperatingPoint, RocCurve } from '../metrics/ranking';

/** Keeps about `maxPoints` points, the first of each even step of log(FPR), and the last point. */
export function sampleRoc(curve: RocCurve, maxPoints = 1500): { fpr: number; tpr: number }[] {
  const n = curve.fpr.length;
  const floor = curve.negatives > 0 ? 1 / (curve.negatives * 10) : 1e-6;
  const out: { fpr: number; tpr: number }[] = [];
  let lastBin = Number.NEGATIVE_INFINITY;
  const bins = maxPoints / Math.max(1, Math.log10(1 / floor));
  for (let i = 0; i < n; i++) {
    const f = Math.max(floor, curve.fpr[i]);
    const bin = Math.floor(Math.log10(f) * bins);
    if (bin !== lastBin || i === n - 1) out.push({ fpr: f, tpr: curve.tpr[i] });
    lastBin = bin;
  }
  return out;
}

export interface RocSeries {
  name: string;
  curve: RocCurve;
  auc: number | null;
  points: readonly OperatingPoint[];
}

/** One line per series (e.g. raw score and score / VM threshold), the operating points marked. */
export function rocSpec(series: readonly RocSeries[], title = 'ROC'): object {
  const negatives = series.reduce((m, s) => Math.max(m, s.curve.negatives), 0);
  const floor = negatives > 0 ? 1 / (negatives * 10) : 1e-6;
  const name = (s: RocSeries): string => `${s.name} (AUC ${s.auc === null ? 'n/a' : s.auc.toFixed(4)})`;
  const color = { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom-right', labelLimit: 400 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 420,
    // No per-mark aria labels: they triple the SVG's size for thousands of points.
    config: { aria: false },
    layer: [
      {
        data: { values: series.flatMap((s) => sampleRoc(s.curve).map((p) => ({ ...p, series: name(s) }))) },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          color,
          x: { field: 'fpr', type: 'quantitative', title: 'false-positive rate (log)', scale: { type: 'log', domain: [floor, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true-positive rate', scale: { domain: [0, 1] } },
        },
      },
      {
        data: { values: series.flatMap((s) => s.points.map((p) => ({ fpr: p.maxFpr, tpr: p.tpr, series: name(s), label: `TPR ${p.tpr.toFixed(3)} at FPR ${p.maxFpr}` }))) },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { x: { field: 'fpr', type: 'quantitative' } } },
          { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' }, color, tooltip: { field: 'label' } } },
        ],
      },
    ],
  };
}
