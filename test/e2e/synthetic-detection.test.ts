/**
 * End to end: a synthetic region of 56 VMs with 5 injected attacks through the default topology.
 * Each attack must raise anomalies on the attacked VM while it runs; packet-level precision and
 * recall are printed (and held above a floor so a regression shows).
 */
import { defaultTopologyPath, loadTopologyFile, planTopology, runTopology, silentLogger } from '../../topology';
import { SyntheticSource, isAttackPacket, type AttackLabel, type AttackSpec } from '../../sources';
import type { Anomaly, MitigationDecision } from '../../schemas/types';
import type { StreamSink } from '../../sinks';

class CollectingSink implements StreamSink {
  readonly anomalies: Anomaly[] = [];
  readonly decisions: MitigationDecision[] = [];
  write(stream: string, _key: string, value: unknown): void {
    if (stream === 'anomalies') this.anomalies.push(value as Anomaly);
    else if (stream === 'mitigations') this.decisions.push(value as MitigationDecision);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const ATTACKS: AttackSpec[] = [
  { kind: 'port_scan', atSec: 40, durationSec: 8 },
  { kind: 'syn_flood', atSec: 50, durationSec: 8 },
  { kind: 'exfiltration', atSec: 60, durationSec: 8 },
  { kind: 'c2_beacon', atSec: 45, durationSec: 30 },
  { kind: 'lateral_movement', atSec: 70, durationSec: 8 },
];

describe('synthetic region end to end', () => {
  let labels: AttackLabel[];
  let sink: CollectingSink;
  let packets = 0;
  let attackPackets = 0;

  beforeAll(async () => {
    const source = new SyntheticSource({ seed: 2026, vmCount: 56, durationSec: 90, attacks: ATTACKS });
    labels = source.labels();
    const plan = planTopology(loadTopologyFile(defaultTopologyPath()));
    sink = new CollectingSink();
    const counting = {
      description: source.description,
      batches: async function* () {
        for await (const b of source.batches()) {
          packets += b.length;
          for (const p of b) if (isAttackPacket(labels, p)) attackPackets++;
          yield b;
        }
      },
    };
    await runTopology(plan, { source: counting, sinks: { anomalies: sink, mitigations: sink, forensics: sink }, logger: silentLogger() });
  });

  it('injects 5 attacks on 5 distinct VMs of a 56-VM region', () => {
    expect(labels).toHaveLength(5);
    expect(new Set(labels.map((l) => l.vmId)).size).toBe(5);
    expect(packets).toBeGreaterThan(50_000);
  });

  it.each(ATTACKS.map((a) => a.kind))('%s raises anomalies on the attacked VM while it runs', (kind) => {
    const label = labels.find((l) => l.kind === kind)!;
    const hits = sink.anomalies.filter((a) => a.vmId === label.vmId && a.tsUs >= label.startUs && a.tsUs <= label.endUs);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.some((a) => isAttackPacket([label], a.actual))).toBe(true);
  });

  it('reports packet-level precision and recall, and attack-level detection', () => {
    const tp = sink.anomalies.filter((a) => isAttackPacket(labels, a.actual)).length;
    const precision = tp / Math.max(1, sink.anomalies.length);
    const recall = tp / Math.max(1, attackPackets);
    const flaggedVms = new Set(sink.anomalies.map((a) => a.vmId));
    const attacked = new Set(labels.map((l) => l.vmId));
    const vmPrecision = [...flaggedVms].filter((v) => attacked.has(v)).length / Math.max(1, flaggedVms.size);
    const lines = labels.map((l) => {
      const n = sink.anomalies.filter((a) => isAttackPacket([l], a.actual)).length;
      const first = sink.anomalies.filter((a) => isAttackPacket([l], a.actual)).reduce((m, a) => Math.min(m, a.tsUs), Infinity);
      return `  ${l.kind.padEnd(18)} ${l.vmId.padEnd(14)} attack packets ${String(l.packets).padStart(6)}  flagged ${String(n).padStart(6)}  first after ${((first - l.startUs) / 1000).toFixed(0)} ms`;
    });
    // eslint-disable-next-line no-console
    console.log(
      [
        `packets ${packets}, attack packets ${attackPackets}, anomalies ${sink.anomalies.length}, decisions ${sink.decisions.length}`,
        `packet-level precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; VM-level precision ${vmPrecision.toFixed(3)} (${flaggedVms.size} VMs flagged)`,
        ...lines,
      ].join('\n'),
    );
    expect(precision).toBeGreaterThan(PRECISION_FLOOR);
    expect(recall).toBeGreaterThan(RECALL_FLOOR);
  });

  it('decides per change of action, not per packet', () => {
    const floodVm = labels.find((l) => l.kind === 'syn_flood')!;
    const onFloodVm = sink.decisions.filter((d) => d.vmId === floodVm.vmId);
    expect(onFloodVm.length).toBeGreaterThan(0);
    expect(onFloodVm.length).toBeLessThan(10);
    expect(onFloodVm.some((d) => d.action !== 'ALERT' && d.action !== 'NONE')).toBe(true);
  });
});

// Floors sit below what the current topology measures (printed above); they catch regressions.
const PRECISION_FLOOR = 0.5;
const RECALL_FLOOR = 0.3;
