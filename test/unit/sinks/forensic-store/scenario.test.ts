/**
 * A generated scenario (synthetic region, a port scan and a SYN flood) through the default topology,
 * with the forensic store and the EVE alerts attached as in `prescient run`: incidents on the attacked
 * VMs with the actions taken; the pcap export re-reads to the stored packets; the explain view's numbers
 * are the stored breakdown and sum to the score; `prescient forensics` on an unknown VM is empty, exit 0.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTopologyPath, loadTopologyFile, planTopology, runTopology, silentLogger } from '../../../../topology';
import { SyntheticSource, FrameDecodeContext, decodeFrameToPacketEvent, readCaptureFile, type AttackLabel } from '../../../../sources';
import { ForensicStoreReader, attachForensicSinks, explain, openForReading, type StreamSink } from '../../../../sinks';
import { ACTION_RANK } from '../../../../operators';
import type { ForensicRecord, PacketEvent } from '../../../../schemas/types';
import { forensicsCommand } from '../../../../cli/commands/forensics';
import { ExitCode } from '../../../../cli/exit-codes';
import { buildProgram } from '../../../../cli/main';

class Counting implements StreamSink {
  forensics = 0;
  write(stream: string): void {
    if (stream === 'forensics') this.forensics++;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

describe('forensics of a generated scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-forensics-'));
  let labels: AttackLabel[];
  let store: ForensicStoreReader;
  let counted: Counting;

  beforeAll(async () => {
    const source = new SyntheticSource({
      seed: 11,
      vmCount: 20,
      durationSec: 50,
      attacks: [
        { kind: 'port_scan', atSec: 34, durationSec: 6 },
        { kind: 'syn_flood', atSec: 40, durationSec: 6 },
      ],
    });
    labels = source.labels();
    counted = new Counting();
    const sinks: Record<string, StreamSink> = { forensics: counted };
    const outputs = attachForensicSinks(sinks, dir);
    await runTopology(planTopology(loadTopologyFile(defaultTopologyPath())), { source, sinks, logger: silentLogger(), closeSinks: false });
    await outputs.close();
    store = new ForensicStoreReader(openForReading(join(dir, 'forensics.db')));
  });

  it('stores every anomaly, each in an incident of its VM', () => {
    const c = store.counts();
    expect(c.anomalies).toBe(counted.forensics);
    expect(c.anomalies).toBeGreaterThan(1000);
    const missing = store.queryAnomalies().filter((r) => r.incidentId === null || !r.incidentId.startsWith(`vm/${r.anomaly.vmId}/`));
    expect(missing).toHaveLength(0);
  });

  it.each(['port_scan', 'syn_flood'])('%s: one incident on the attacked VM, from the attack start, with the escalating actions', (kind) => {
    const label = labels.find((l) => l.kind === kind)!;
    const during = store.queryIncidents({ vmId: label.vmId, sinceUs: label.startUs, untilUs: label.endUs });
    expect(during).toHaveLength(1);
    const inc = during[0];
    expect(inc.firstTsUs).toBeGreaterThanOrEqual(label.startUs);
    expect(inc.firstTsUs - label.startUs).toBeLessThan(1_000_000);
    expect(inc.id).toBe(`vm/${label.vmId}/${inc.firstTsUs}`);
    expect(inc.actions).toEqual(expect.arrayContaining(['ALERT', 'DROP']));
    expect(['high', 'critical']).toContain(inc.severity);
    // Its count is the number of stored anomalies that name it.
    expect(store.queryAnomalies({ incidentId: inc.id })).toHaveLength(inc.count);
    expect(inc.count).toBeGreaterThan(100);
  });

  it('acts past RATE_LIMIT on no benign VM', () => {
    const attacked = new Set(labels.map((l) => l.vmId));
    const benign = store.queryIncidents({ scope: 'vm' }).filter((i) => !attacked.has(i.key));
    for (const i of benign) for (const a of i.actions) expect(ACTION_RANK[a]).toBeLessThanOrEqual(ACTION_RANK.RATE_LIMIT);
  });

  it('exports the actual packets to a pcap that re-reads to the same packets', () => {
    const scan = labels.find((l) => l.kind === 'port_scan')!;
    const out = join(dir, 'scan.pcap');
    const io = capture();
    expect(forensicsCommand({ store: join(dir, 'forensics.db'), vm: scan.vmId, format: 'pcap', output: out }, io)).toBe(ExitCode.OK);
    const stored = store.queryAnomalies({ vmId: scan.vmId }).map((r) => r.anomaly.actual);
    const reread: PacketEvent[] = [];
    const ctx = new FrameDecodeContext();
    const res = readCaptureFile(out, (f) => {
      const p = decodeFrameToPacketEvent(f, ctx);
      if (p !== null) reread.push(p);
    });
    expect(res.error).toBeNull();
    expect(res.packets).toBe(stored.length);
    expect(reread).toHaveLength(stored.length);
    const pick = (p: PacketEvent): unknown[] => [p.tsUs, p.srcIp, p.srcPort, p.dstIp, p.dstPort, p.protocol, p.size, p.tcpFlags, p.payloadLength, p.payload.toString('hex')];
    expect(reread.map(pick)).toEqual(stored.map(pick));
  });

  it('explains an anomaly with the stored breakdown, whose terms sum to the score', () => {
    const flood = labels.find((l) => l.kind === 'syn_flood')!;
    const recs = store.queryAnomalies({ vmId: flood.vmId, limit: 50 });
    for (const r of recs) {
      const e = explain(r);
      for (const f of e.features) expect(f.term).toBe(r.anomaly.breakdown[f.feature]);
      expect(e.termSum).toBeCloseTo(r.anomaly.score, 9);
      expect(e.features.reduce((s, f) => s + f.share, 0)).toBeCloseTo(1, 9);
      expect(e.drivenBy).toBe(r.anomaly.topFeature);
      expect(e.features.find((f) => f.feature === 'size')).toMatchObject({ actual: r.anomaly.actual.size, predicted: r.anomaly.predicted.size });
    }
    const io = capture();
    expect(forensicsCommand({ store: join(dir, 'forensics.db'), explain: recs[0].anomaly.id }, io)).toBe(ExitCode.OK);
    expect(io.stdout).toContain(recs[0].anomaly.id);
    expect(io.stdout).toContain('<- drove it');
    expect(io.stdout).toContain(`baseline  ${recs[0].anomaly.baseline.scope} ${recs[0].anomaly.baseline.key}`);
    const json = capture();
    forensicsCommand({ store: join(dir, 'forensics.db'), explain: recs[0].anomaly.id, format: 'json' }, json);
    expect(JSON.parse(json.stdout).score).toBe(recs[0].anomaly.score);
  });

  it('prescient forensics: table, JSON lines, incidents; an unknown VM gets an empty result and a message, exit 0', () => {
    const file = join(dir, 'forensics.db');
    const scan = labels.find((l) => l.kind === 'port_scan')!;
    const table = capture();
    expect(forensicsCommand({ store: file, vm: scan.vmId, severity: 'high', limit: 5 }, table)).toBe(ExitCode.OK);
    expect(table.stdout.split('\n')[0]).toMatch(/^time \(UTC\)\s+vm\s+severity/);
    expect(table.stdout.trim().split('\n')).toHaveLength(2 + 5);
    const jsonl = capture();
    forensicsCommand({ store: file, vm: scan.vmId, format: 'json', limit: 3 }, jsonl);
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as ForensicRecord);
    expect(lines).toHaveLength(3);
    expect(lines.every((r) => r.anomaly.vmId === scan.vmId && r.incidentId !== null)).toBe(true);
    const inc = capture();
    forensicsCommand({ store: file, incidents: true, vm: scan.vmId }, inc);
    expect(inc.stdout).toContain(`vm/${scan.vmId}/`);

    const flood = labels.find((l) => l.kind === 'syn_flood')!;
    const capped = capture();
    forensicsCommand({ store: file, vm: flood.vmId }, capped);
    expect(capped.stdout.trim().split('\n')).toHaveLength(2 + 1000);
    expect(capped.stderr).toContain('first 1000 anomalies shown');
    // --since as ISO 8601 and --until as microseconds select the attack window.
    const windowed = capture();
    forensicsCommand({ store: file, vm: flood.vmId, since: new Date(flood.startUs / 1000).toISOString(), until: String(flood.startUs + 500_000), format: 'json' }, windowed);
    const ts = windowed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as ForensicRecord).anomaly.tsUs);
    expect(ts.length).toBeGreaterThan(0);
    expect(ts.every((t) => t >= flood.startUs && t <= flood.startUs + 500_000)).toBe(true);
    expect(ts).toHaveLength(store.queryAnomalies({ vmId: flood.vmId, sinceUs: flood.startUs, untilUs: flood.startUs + 500_000 }).length);

    const none = capture();
    expect(forensicsCommand({ store: file, vm: 'vm-does-not-exist' }, none)).toBe(ExitCode.OK);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain("VM 'vm-does-not-exist' has no anomalies");
    expect(none.stderr).not.toMatch(/\n\s+at /);
    const bad = capture();
    expect(forensicsCommand({ store: file, severity: 'huge' }, bad)).toBe(ExitCode.BAD_INPUT);
    expect(bad.stderr).toContain('--severity');
  });

  it('is wired as `prescient forensics` in the CLI', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((t: string | Uint8Array) => (out.push(String(t)), true));
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((t: string | Uint8Array) => (err.push(String(t)), true));
    try {
      await buildProgram().parseAsync(['node', 'prescient', 'forensics', '--store', join(dir, 'forensics.db'), '--incidents', '--severity', 'high']);
      await buildProgram().parseAsync(['node', 'prescient', 'forensics', '--store', join(dir, 'forensics.db'), '--vm', 'no-such-vm']);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(process.exitCode).toBe(ExitCode.OK);
    process.exitCode = undefined;
    const scan = labels.find((l) => l.kind === 'port_scan')!;
    expect(out.join('')).toContain(`vm/${scan.vmId}/`);
    expect(err.join('')).toContain("VM 'no-such-vm' has no anomalies");
  });

  it('writes one EVE alert per anomaly, with the incident the store put it in', () => {
    const lines = readFileSync(join(dir, 'alerts.eve.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(counted.forensics);
    const first = lines[0];
    expect(first).toMatchObject({ event_type: 'alert', alert: { gid: 1, category: 'Network Traffic Anomaly' } });
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
    const rec = store.getAnomaly(first.prescient.anomaly_id)!;
    expect(first).toMatchObject({ src_ip: rec.anomaly.actual.srcIp, dest_ip: rec.anomaly.actual.dstIp, src_port: rec.anomaly.actual.srcPort, dest_port: rec.anomaly.actual.dstPort });
    expect(first.prescient.incident_id).toBe(rec.incidentId);
    expect([1, 2, 3]).toContain(first.alert.severity);
    const flood = labels.find((l) => l.kind === 'syn_flood')!;
    expect(lines.some((l) => l.vm.id === flood.vmId && l.alert.action === 'blocked')).toBe(true);
  });
});

function capture(): { stdout: string; stderr: string; out: (t: string) => void; err: (t: string) => void } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}
