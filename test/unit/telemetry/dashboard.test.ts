/**
 * The Grafana dashboard queries only metrics the code registers: every `prescient_*` name in its
 * queries must be a series name of a real /metrics response (with every metric holding data), and
 * every metric the code exports has a panel.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { METRIC, startTelemetry } from '../../../telemetry';
import { scrape } from './scrape';

interface Panel {
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(readFileSync(resolve(__dirname, '../../../deploy/grafana/prescient-dashboard.json'), 'utf8')) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
};

function queriedNames(): Set<string> {
  const names = new Set<string>();
  const texts = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  for (const v of dashboard.templating.list) if (v.query !== undefined) texts.push(JSON.stringify(v.query));
  for (const t of texts) for (const m of t.matchAll(/\bprescient_[a-z0-9_]+/g)) names.add(m[0]);
  return names;
}

describe('Grafana dashboard', () => {
  it('queries only metric names a real scrape exposes', async () => {
    const t = await startTelemetry({ metricsPort: 0, metricsHost: '127.0.0.1' });
    try {
      // One value in every metric, so each one shows its series.
      const m = t.metrics;
      m.recordLatencies([1_000_000], 1, 1_001_000);
      m.recordBatch(8, 120);
      m.recordCheckpoint(3, 40);
      m.countMitigation('DROP');
      m.observeOperatorRecords((emit) => emit('window', 10));
      m.observeMailboxDepth((emit) => emit('0', 1));
      m.observeConsumerLag((emit) => emit('0', 2));
      m.observeDeadLetters((emit) => emit('bad-magic', 1));
      const exposed = new Set((await scrape(t.metricsPort as number)).map((s) => s.name));
      const queried = queriedNames();
      expect(queried.size).toBeGreaterThan(0);
      const unknown = [...queried].filter((n) => !exposed.has(n));
      expect(unknown).toEqual([]);
      // And the other way: every metric has a panel querying it (a histogram through a suffix).
      const missing = Object.values(METRIC).filter((name) => ![...queried].some((q) => q === name || q.startsWith(`${name}_`)));
      expect(missing).toEqual([]);
    } finally {
      await t.shutdown();
    }
  });

  it('reads every panel from the Prometheus data source variable', () => {
    const ds = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(ds?.query).toBe('prometheus');
    for (const p of dashboard.panels) expect(p.datasource?.uid).toBe(`\${${ds?.name}}`);
  });
});
