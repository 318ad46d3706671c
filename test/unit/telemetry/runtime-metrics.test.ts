/**
 * Runs real topologies with telemetry on and checks what /metrics says against what the run did:
 * records per operator, verdict latencies, mitigations by action, checkpoints, mailbox and lag.
 */
import { demoAttackPlan } from '../../../cli/source-factory';
import { loadTopologyFile, defaultTopologyPath } from '../../../topology/load';
import { silentLogger } from '../../../topology/log';
import { ManualClock } from '../../../topology/runtime/clock';
import { planTopology } from '../../../topology/runtime/planner';
import { runTopology } from '../../../topology/runtime/run-topology';
import { SyntheticSource } from '../../../sources/synthetic';
import { METRIC, startTelemetry, type Telemetry } from '../../../telemetry';
import { arraySource, CollectingSink, testPlan } from '../topology/fixtures/run-helpers';
import { orderRecorder, type Ev } from '../topology/fixtures/test-operators';
import { byLabel, scrape, value } from './scrape';

const logger = silentLogger();
let telemetry: Telemetry;

beforeEach(async () => {
  telemetry = await startTelemetry({ metricsPort: 0, metricsHost: '127.0.0.1' });
});

afterEach(async () => {
  await telemetry.shutdown();
});

describe('metrics of an embedded run', () => {
  it('counts records per operator, one latency per verdict, mitigations by action and checkpoints (default chain, synthetic traffic)', async () => {
    const plan = planTopology(loadTopologyFile(defaultTopologyPath()));
    const durationSec = 30;
    const source = new SyntheticSource({ seed: 3, vmCount: 10, durationSec, attacks: demoAttackPlan(durationSec) });
    const sink = new CollectingSink();
    const stats = await runTopology(plan, { source, sinks: { anomalies: sink, mitigations: sink, forensics: sink }, logger, telemetry });
    expect(stats.packetsIn).toBeGreaterThan(1000);
    const m = await scrape(telemetry.metricsPort as number);

    const perOperator = byLabel(m, METRIC.operatorRecords, 'operator');
    expect([...perOperator.keys()].sort()).toEqual(stats.operators.map((o) => o.name).sort());
    for (const o of stats.operators) expect(perOperator.get(o.name)).toBe(o.recordsIn);
    expect(perOperator.get(stats.operators[0].name)).toBe(stats.packetsIn);

    // Every packet reached a verdict once: one latency sample each; buckets are cumulative.
    expect(value(m, `${METRIC.packetLatency}_count`)).toBe(stats.packetsIn);
    expect(value(m, `${METRIC.packetLatency}_bucket`, { le: '+Inf' })).toBe(stats.packetsIn);
    const buckets = m.filter((s) => s.name === `${METRIC.packetLatency}_bucket`).map((s) => s.value);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]);

    const decisions = sink.items.filter((i) => i.stream === 'mitigations').map((i) => (i.value as { action: string }).action);
    expect(decisions.length).toBeGreaterThan(0);
    const want = new Map<string, number>();
    for (const a of decisions) want.set(a, (want.get(a) ?? 0) + 1);
    expect(byLabel(m, METRIC.mitigations, 'action')).toEqual(want);

    const checkpoints = stats.partitions.reduce((n, p) => n + p.checkpoints, 0);
    expect(checkpoints).toBeGreaterThan(0);
    expect(value(m, `${METRIC.checkpointDuration}_count`)).toBe(checkpoints);
    expect(value(m, `${METRIC.checkpointSize}_count`)).toBe(checkpoints);
    // Tasks are gone after the run: their gauges too.
    expect(byLabel(m, METRIC.mailboxDepth, 'partition').size).toBe(0);
  });

  it('puts each latency (verdict time - capture time) in its bucket', async () => {
    const clock = new ManualClock(1_700_000_000_000_000);
    const now = clock.nowUs();
    const evs: Ev[] = [];
    // 300 packets 1.5 ms old, 200 packets 30 ms old, 100 without a capture time: 500 latencies.
    for (let i = 0; i < 600; i++) {
      const tsUs = i < 300 ? now - 1500 : i < 500 ? now - 30_000 : -Infinity;
      evs.push({ vm: `vm-${i % 7}`, tsUs, seq: i });
    }
    const plan = testPlan([[orderRecorder, {}]], 3, { chunkSize: 64 });
    await runTopology(plan, { source: arraySource(evs, 100), sinks: { order: new CollectingSink() }, logger, clock, telemetry });
    const m = await scrape(telemetry.metricsPort as number);
    const le = (b: string): number | undefined => value(m, `${METRIC.packetLatency}_bucket`, { le: b });
    expect(value(m, `${METRIC.packetLatency}_count`)).toBe(500);
    expect(le('0.001')).toBe(0);
    expect(le('0.002')).toBe(300);
    expect(le('0.02')).toBe(300);
    expect(le('0.05')).toBe(500);
    expect(value(m, `${METRIC.packetLatency}_sum`)).toBeCloseTo(300 * 0.0015 + 200 * 0.03, 9);
    expect(value(m, METRIC.operatorRecords, { operator: orderRecorder.name })).toBe(600);
  });

  it('shows mailbox depth and lag per partition while the run goes on', async () => {
    const evs: Ev[] = [];
    for (let i = 0; i < 4000; i++) evs.push({ vm: `vm-${i % 13}`, tsUs: i, seq: i });
    const plan = testPlan([[orderRecorder, {}]], 2, { chunkSize: 32, mailboxCapacity: 64 });
    let mid: Awaited<ReturnType<typeof scrape>> | undefined;
    const source = {
      description: 'array with a scrape in the middle',
      async *batches(): AsyncIterable<Ev[]> {
        for (let i = 0; i < evs.length; i += 500) {
          if (i === 2000) mid = await scrape(telemetry.metricsPort as number);
          yield evs.slice(i, i + 500);
        }
      },
    };
    const stats = await runTopology(plan, { source, sinks: { order: new CollectingSink() }, logger, telemetry, maxLogBacklog: 100_000 });
    expect(mid).toBeDefined();
    const depth = byLabel(mid!, METRIC.mailboxDepth, 'partition');
    const lag = byLabel(mid!, METRIC.consumerLag, 'partition');
    expect([...depth.keys()].sort()).toEqual(['0', '1']);
    expect([...lag.keys()].sort()).toEqual(['0', '1']);
    for (const [p, d] of depth) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(64);
      expect(lag.get(p)).toBeGreaterThanOrEqual(d);
    }
    // What was appended by then and not yet processed: at most the 2000 packets handed out.
    const midRecords = value(mid!, METRIC.operatorRecords, { operator: orderRecorder.name }) as number;
    const totalLag = [...lag.values()].reduce((a, b) => a + b, 0);
    expect(midRecords + totalLag).toBe(2000);
    expect(stats.packetsIn).toBe(4000);
  });
});
