/**
 * Per-attack detection: how long after its first packet the attacked VM raised its first anomaly,
 * and which share of the attack's packets were flagged.
 */
import type { ScoreColumns } from '../score-table';

/** What detection needs to know of an attack (AttackLabel from sources/synthetic has it). */
export interface AttackRef {
  id: string;
  kind: string;
  vmId: string;
  startUs: number;
  endUs: number;
  knownPeer?: boolean;
}

export interface AttackDetection {
  id: string;
  kind: string;
  vmId: string;
  knownPeer: boolean;
  /** Packets of the attack seen in the run. */
  packets: number;
  /** Of those, how many the detector called anomalous, and the share. */
  flagged: number;
  recall: number;
  /** The attack's first packet as seen in the run (the label's start when none was seen). */
  firstPacketUs: number;
  /** The attack's last packet as seen in the run (the label's end when none was seen). */
  lastPacketUs: number;
  /** First anomaly on the VM at or after the first attack packet, up to the attack's end + grace. */
  firstAnomalyUs: number | null;
  /** firstAnomalyUs - firstPacketUs in milliseconds, or 'missed'. */
  delayMs: number | 'missed';
}

export interface DetectionOptions {
  /**
   * How long after the attack's last packet an anomaly still counts as its detection (default 1 s:
   * the window operator's span, so a verdict that needed the window to fill is not lost).
   */
  graceUs?: number;
}

/** `attacks[i]` is the attack of packets with `attack === i`. */
export function detectAttacks(cols: ScoreColumns, attacks: readonly AttackRef[], options: DetectionOptions = {}): AttackDetection[] {
  const grace = options.graceUs ?? 1_000_000;
  const n = cols.scores.length;
  const first = new Float64Array(attacks.length).fill(Number.POSITIVE_INFINITY);
  const last = new Float64Array(attacks.length).fill(Number.NEGATIVE_INFINITY);
  const packets = new Float64Array(attacks.length);
  const flagged = new Float64Array(attacks.length);
  for (let i = 0; i < n; i++) {
    const a = cols.attack[i];
    if (a < 0 || a >= attacks.length) continue;
    packets[a]++;
    if (cols.anomalous[i]) flagged[a]++;
    const t = cols.tsUs[i];
    if (t < first[a]) first[a] = t;
    if (t > last[a]) last[a] = t;
  }
  return attacks.map((atk, a) => {
    const from = packets[a] > 0 ? first[a] : atk.startUs;
    const to = (packets[a] > 0 ? last[a] : atk.endUs) + grace;
    const vm = cols.vmIds.indexOf(atk.vmId);
    let hit = Number.POSITIVE_INFINITY;
    if (vm >= 0) {
      for (let i = 0; i < n; i++) {
        if (cols.anomalous[i] && cols.vm[i] === vm) {
          const t = cols.tsUs[i];
          if (t >= from && t <= to && t < hit) hit = t;
        }
      }
    }
    const found = hit !== Number.POSITIVE_INFINITY;
    return {
      id: atk.id,
      kind: atk.kind,
      vmId: atk.vmId,
      knownPeer: atk.knownPeer ?? false,
      packets: packets[a],
      flagged: flagged[a],
      recall: packets[a] > 0 ? flagged[a] / packets[a] : 0,
      firstPacketUs: from,
      lastPacketUs: packets[a] > 0 ? last[a] : atk.endUs,
      firstAnomalyUs: found ? hit : null,
      delayMs: found ? (hit - from) / 1000 : 'missed',
    };
  });
}
