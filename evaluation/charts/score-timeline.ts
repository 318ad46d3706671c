/**
 * Scores over time as a Vega-Lite spec: each VM's maximum score per time bucket (250 ms, widened
 * until each group stays under `maxPoints` marks), attacked VMs as coloured lines over the others in
 * grey, attack intervals shaded, and an optional global threshold line.
 */
import type { AttackDetection } from '../metrics/detection';
import type { ScoreColumns } from '../score-table';

export interface ScoreTimelineOptions {
  /** Starting bucket width (default 250 ms). */
  bucketUs?: number;
  /** Upper bound on plotted points (default 6 000), so the SVG stays a few MB at most. */
  maxPoints?: number;
  /** A horizontal line, e.g. the score threshold at FPR 0.001. */
  threshold?: { value: number; label: string };
  title?: string;
}

export interface TimelinePoint {
  t: number;
  vm: string;
  score: number;
}

export interface BucketedScores {
  bucketUs: number;
  /** Seconds since the first packet of the run. */
  originUs: number;
  points: TimelinePoint[];
}

/**
 * Per-VM max score per bucket; the bucket width doubles until the points fit `maxPoints`. `vms`
 * (VM indices) restricts it to some VMs; `originUs` defaults to the first packet's time.
 */
export function bucketScores(cols: ScoreColumns, bucketUs = 250_000, maxPoints = 6_000, vms?: ReadonlySet<number>, originUs?: number): BucketedScores {
  const n = cols.scores.length;
  let origin = Number.POSITIVE_INFINITY;
  if (originUs !== undefined) origin = originUs;
  else for (let i = 0; i < n; i++) if (cols.tsUs[i] < origin) origin = cols.tsUs[i];
  if (n === 0) origin = 0;
  for (;;) {
    const max = new Map<number, number>();
    const vmCount = cols.vmIds.length;
    for (let i = 0; i < n; i++) {
      const s = cols.scores[i];
      if (!(s === s) || (vms !== undefined && !vms.has(cols.vm[i]))) continue;
      const key = Math.floor((cols.tsUs[i] - origin) / bucketUs) * vmCount + cols.vm[i];
      const m = max.get(key);
      if (m === undefined || s > m) max.set(key, s);
    }
    if (max.size <= maxPoints || bucketUs >= 3_600_000_000) {
      const points: TimelinePoint[] = [];
      for (const [key, score] of max) {
        const b = Math.floor(key / vmCount);
        points.push({ t: (b * bucketUs) / 1e6, vm: cols.vmIds[key - b * vmCount], score });
      }
      points.sort((a, b) => a.t - b.t);
      return { bucketUs, originUs: origin, points };
    }
    bucketUs *= 2;
  }
}

export function scoreTimelineSpec(cols: ScoreColumns, attacks: readonly AttackDetection[], options: ScoreTimelineOptions = {}): object {
  // Attacked VMs keep the fine buckets; the others share the point budget and may get wider ones.
  const max = options.maxPoints ?? 6_000;
  const attacked = new Set(attacks.map((a) => cols.vmIds.indexOf(a.vmId)).filter((v) => v >= 0));
  const others = new Set(cols.vmIds.map((_, v) => v).filter((v) => !attacked.has(v)));
  const b = bucketScores(cols, options.bucketUs, max, others);
  const h = bucketScores(cols, options.bucketUs, max, attacked, b.originUs);
  const background = b.points;
  const highlighted = h.points;
  const spans = attacks.map((a) => {
    const start = (a.firstPacketUs - b.originUs) / 1e6;
    // At least one bucket wide, or a short attack would not show.
    const end = Math.max((a.lastPacketUs - b.originUs) / 1e6, start + h.bucketUs / 1e6);
    return { start, end, attack: `${a.kind} (${a.vmId})` };
  });
  const x = { field: 't', type: 'quantitative', title: `seconds (max per VM per ${h.bucketUs / 1000} ms, other VMs per ${b.bucketUs / 1000} ms)` };
  const y = { field: 'score', type: 'quantitative', title: 'score', scale: { type: 'symlog' } };
  const layers: object[] = [
    {
      data: { values: spans },
      mark: { type: 'rect', opacity: 0.18, color: '#e4572e' },
      encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' }, tooltip: { field: 'attack' } },
    },
    {
      data: { values: spans },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 2, fontSize: 9, angle: 0, color: '#a33' },
      encoding: { x: { field: 'start', type: 'quantitative' }, y: { value: 4 }, text: { field: 'attack' } },
    },
    {
      data: { values: background },
      mark: { type: 'point', filled: true, size: 6, opacity: 0.35, color: '#8a8a8a' },
      encoding: { x, y },
    },
    {
      data: { values: highlighted },
      mark: { type: 'line', strokeWidth: 1.2, point: { size: 8, filled: true } },
      encoding: { x, y, color: { field: 'vm', type: 'nominal', title: 'attacked VM' } },
    },
  ];
  if (options.threshold !== undefined && Number.isFinite(options.threshold.value)) {
    layers.push({
      data: { values: [{ y: options.threshold.value, label: options.threshold.label }] },
      mark: { type: 'rule', strokeDash: [6, 4], color: '#1f77b4' },
      encoding: { y: { field: 'y', type: 'quantitative' }, tooltip: { field: 'label' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Per-packet score over time (attacks shaded)',
    width: 1100,
    height: 360,
    layer: layers,
    // No per-mark aria labels: they triple the SVG's size for thousands of points.
    config: { aria: false },
  };
}
