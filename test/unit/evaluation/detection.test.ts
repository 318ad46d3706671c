import { BENIGN, detectAttacks, evaluateScores, formatReport, scoreColumns } from '../../../evaluation';

const MS = 1000;

describe('per-attack detection', () => {
  // Attack 0 on vm-a from 10 ms to 20 ms (first packet at 10 ms), attack 1 on vm-b never flagged.
  const attacks = [
    { id: 'a0', kind: 'port_scan', vmId: 'vm-a', startUs: 9 * MS, endUs: 20 * MS, knownPeer: false },
    { id: 'a1', kind: 'exfil_known_peer', vmId: 'vm-b', startUs: 30 * MS, endUs: 40 * MS, knownPeer: true },
  ];
  const cols = scoreColumns([
    { score: 9, anomalous: true, tsUs: 8 * MS, vmId: 'vm-a' }, // before the attack: not its detection
    { score: 1, attack: 0, tsUs: 10 * MS, vmId: 'vm-a' },
    { score: 9, anomalous: true, tsUs: 12 * MS, vmId: 'vm-c' }, // another VM: not its detection
    { score: 2, attack: 0, tsUs: 13 * MS, vmId: 'vm-a' },
    { score: 8, attack: BENIGN, anomalous: true, tsUs: 13.5 * MS, vmId: 'vm-a' }, // first anomaly on the VM
    { score: 9, attack: 0, anomalous: true, tsUs: 15 * MS, vmId: 'vm-a' },
    { score: 9, attack: 0, anomalous: true, tsUs: 20 * MS, vmId: 'vm-a' },
    { score: 1, attack: 1, tsUs: 31 * MS, vmId: 'vm-b' },
    { score: 1, attack: 1, tsUs: 33 * MS, vmId: 'vm-b' },
    { score: 9, anomalous: true, tsUs: 39 * MS, vmId: 'vm-c' },
  ]);

  it('measures the delay from the first attack packet to the first anomaly on that VM', () => {
    const [a0, a1] = detectAttacks(cols, attacks);
    expect(a0.firstPacketUs).toBe(10 * MS);
    expect(a0.lastPacketUs).toBe(20 * MS);
    expect(a0.firstAnomalyUs).toBe(13.5 * MS);
    expect(a0.delayMs).toBeCloseTo(3.5, 9);
    expect(a1.delayMs).toBe('missed');
    expect(a1.firstAnomalyUs).toBeNull();
    expect(a1.knownPeer).toBe(true);
  });

  it('gives the share of each attack\'s packets flagged', () => {
    const [a0, a1] = detectAttacks(cols, attacks);
    expect([a0.packets, a0.flagged, a0.recall]).toEqual([4, 2, 0.5]);
    expect([a1.packets, a1.flagged, a1.recall]).toEqual([2, 0, 0]);
  });

  it('counts an anomaly after the last attack packet only within the grace period', () => {
    const late = scoreColumns([
      { score: 1, attack: 0, tsUs: 10 * MS, vmId: 'vm-a' },
      { score: 9, anomalous: true, tsUs: 10 * MS + 600 * MS, vmId: 'vm-a' },
    ]);
    expect(detectAttacks(late, attacks.slice(0, 1), { graceUs: 1000 * MS })[0].delayMs).toBeCloseTo(600, 9);
    expect(detectAttacks(late, attacks.slice(0, 1), { graceUs: 100 * MS })[0].delayMs).toBe('missed');
  });

  it('falls back to the label window when no attack packet was seen', () => {
    const none = scoreColumns([{ score: 9, anomalous: true, tsUs: 35 * MS, vmId: 'vm-b' }]);
    const d = detectAttacks(none, attacks)[1];
    expect(d.packets).toBe(0);
    expect(d.firstPacketUs).toBe(30 * MS);
    expect(d.delayMs).toBeCloseTo(5, 9);
  });
});

describe('evaluation report', () => {
  it('combines ranking metrics, per-VM normalised ranking and the verdict counts', () => {
    // vm-x has a high threshold (10), vm-y a low one (1): raw scores rank badly, margins rank well.
    const cols = scoreColumns([
      { score: 8, threshold: 10, vmId: 'vm-x' },
      { score: 9, threshold: 10, vmId: 'vm-x' },
      { score: 20, threshold: 10, attack: 0, anomalous: true, vmId: 'vm-x' },
      { score: 0.5, threshold: 1, vmId: 'vm-y' },
      { score: 3, threshold: 1, attack: 0, anomalous: true, vmId: 'vm-y' },
      { score: 2, threshold: 1, attack: 0, vmId: 'vm-y' },
    ]);
    const { report } = evaluateScores(cols, [{ id: 'a', kind: 'port_scan', vmId: 'vm-y', startUs: 0, endUs: 0 }]);
    expect(report.packets).toBe(6);
    expect(report.attackPackets).toBe(3);
    expect(report.vms).toBe(2);
    // Raw: positives 20, 3, 2 vs negatives 8, 9, 0.5: 20 beats 3, 3 beats 1, 2 beats 1 -> 5/9.
    expect(report.auc).toBeCloseTo(5 / 9, 12);
    // Margins: positives 2, 3, 2 vs negatives 0.8, 0.9, 0.5: all win -> 1.
    expect(report.perVmNormalised.auc).toBe(1);
    expect(report.tprAtFpr.map((p) => p.maxFpr)).toEqual([0.001, 0.01]);
    expect(report.verdicts).toMatchObject({ tp: 2, fp: 0, fn: 1, tn: 3 });
    expect(report.verdicts.tpr).toBeCloseTo(2 / 3, 12);
    const text = formatReport(report);
    expect(text).toContain('ROC AUC 0.5556');
    expect(text).toContain('score / VM threshold: ROC AUC 1.0000');
  });
});

describe('ranking after a warm-up', () => {
  it('ranks the packets after the warm-up alone and keeps the whole-run figures', () => {
    // A cold-start false positive (score 9 at 1 s) outranks the attack in the whole run, not after 5 s.
    const cols = scoreColumns([
      { score: 9, tsUs: 1_000_000 },
      { score: 1, tsUs: 2_000_000 },
      { score: 2, tsUs: 6_000_000 },
      { score: 8, attack: 0, tsUs: 7_000_000 },
      { score: 1, tsUs: 8_000_000 },
    ]);
    const attack = [{ id: 'a', kind: 'port_scan', vmId: 'vm', startUs: 7_000_000, endUs: 7_000_000 }];
    const { report } = evaluateScores(cols, attack, { warmupUs: 5_000_000 });
    expect(report.auc).toBeCloseTo(0.75, 9);
    expect(report.afterWarmup).toBeDefined();
    expect(report.afterWarmup!.packets).toBe(3);
    expect(report.afterWarmup!.attackPackets).toBe(1);
    expect(report.afterWarmup!.score.auc).toBe(1);
    expect(formatReport(report)).toContain('after the first 5 s');
    expect(evaluateScores(cols, attack).report.afterWarmup).toBeUndefined();
  });
});
