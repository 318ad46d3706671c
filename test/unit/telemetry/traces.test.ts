/** Packet traces: one span per sampled packet, a child per operator, written as JSON lines. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopologyFile, defaultTopologyPath } from '../../../topology/load';
import { silentLogger } from '../../../topology/log';
import { planTopology } from '../../../topology/runtime/planner';
import { runTopology } from '../../../topology/runtime/run-topology';
import { SyntheticSource } from '../../../sources/synthetic';
import { PacketSampler, startTelemetry, TraceFileError, type SpanLine } from '../../../telemetry';
import { CollectingSink } from '../topology/fixtures/run-helpers';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prescient-traces-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tracedRun(file: string, ratio: number, seed: number, packets: number): Promise<{ spans: SpanLine[]; operators: string[]; packetsIn: number }> {
  const t = await startTelemetry({ traceFile: file, traceSample: ratio, traceSeed: seed });
  const plan = planTopology(loadTopologyFile(defaultTopologyPath()));
  const sink = new CollectingSink();
  const source = new SyntheticSource({ seed: 5, vmCount: 10, durationSec: 60 }, { maxPackets: packets });
  const stats = await runTopology(plan, { source, sinks: { anomalies: sink, mitigations: sink, forensics: sink }, logger: silentLogger(), telemetry: t });
  await t.shutdown();
  const spans = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SpanLine);
  return { spans, operators: stats.operators.map((o) => o.name), packetsIn: stats.packetsIn };
}

describe('packet traces', () => {
  it('writes a packet span per sampled packet with one child span per operator, in chain order', async () => {
    const { spans, operators, packetsIn } = await tracedRun(join(dir, 'all.jsonl'), 1, 1, 300);
    expect(packetsIn).toBe(300);
    const roots = spans.filter((s) => s.parentSpanId === null);
    expect(roots).toHaveLength(300);
    expect(new Set(roots.map((r) => r.traceId)).size).toBe(300);
    const children = new Map<string, SpanLine[]>();
    for (const s of spans) if (s.parentSpanId !== null) children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
    expect(spans).toHaveLength(300 * (1 + operators.length));
    for (const r of roots) {
      expect(r.name).toBe('packet');
      expect(typeof r.attributes['prescient.key']).toBe('string');
      expect(Number.isFinite(r.attributes['prescient.capture_ts_us'])).toBe(true);
      expect(Number.isFinite(r.attributes['prescient.latency_us'])).toBe(true);
      const c = children.get(r.spanId) ?? [];
      expect(c.map((s) => s.name)).toEqual(operators.map((o) => `operator ${o}`));
      for (const s of c) {
        expect(s.traceId).toBe(r.traceId);
        expect(s.startUs).toBeGreaterThanOrEqual(r.startUs - 1);
        expect(s.endUs).toBeLessThanOrEqual(r.endUs + 1);
        expect(s.endUs).toBeGreaterThanOrEqual(s.startUs);
      }
      for (let i = 1; i < c.length; i++) expect(c[i].startUs).toBeGreaterThanOrEqual(c[i - 1].endUs - 1);
    }
    // Every packet traced once: offsets per partition are distinct.
    const seen = new Set(roots.map((r) => `${String(r.attributes['prescient.partition'])}/${String(r.attributes['prescient.offset'])}`));
    expect(seen.size).toBe(300);
  });

  it('traces the packets the ratio sampler picks, no more', async () => {
    const { spans, packetsIn } = await tracedRun(join(dir, 'some.jsonl'), 0.02, 99, 3000);
    const roots = spans.filter((s) => s.parentSpanId === null);
    const sampler = new PacketSampler(0.02, 99);
    expect(roots.length).toBe(sampler.pick(packetsIn));
    expect(roots.length).toBeGreaterThan(25);
    expect(roots.length).toBeLessThan(100);
  });

  it('refuses a trace file it cannot write, naming it', async () => {
    const bad = join(dir, 'missing-dir', 'x.jsonl');
    await expect(startTelemetry({ traceFile: bad })).rejects.toThrow(TraceFileError);
    await expect(startTelemetry({ traceFile: bad })).rejects.toThrow(bad);
  });
});
