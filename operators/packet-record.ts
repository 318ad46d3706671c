/**
 * The record the built-in operators pass down a chain: the decoded packet plus what each
 * operator learned about it. Operators annotate it in place (one object per packet, no copies),
 * which is why the fields start unset and each operator documents what it fills.
 */
import type { Anomaly, BaselineSnapshot, PacketEvent, PredictedPacket, ScoreBreakdown } from '../schemas/types';

/** Filled by `window`: features of the VM's traffic in the current windows. */
export interface WindowFeatures {
  /** Packets and bytes in the current sliding window (size `size`, advanced every `slide`). */
  packets: number;
  bytes: number;
  /** Distinct destination ports and peers in the sliding window. */
  distinctPorts: number;
  distinctPeers: number;
  /** Share of SYN-without-ACK packets in the sliding window. */
  synRatio: number;
  /** Packets per second over the sliding window. */
  rate: number;
  /**
   * SYN-without-ACK packets the VM sent / its egress packets (the half-open share of what it sends:
   * a scan or flood; the SYNs a server receives from its clients stay out).
   */
  egressSynRatio?: number;
  /** Distinct service ports and peers of the flows the VM opened (outbound), in the sliding window. */
  outboundPorts?: number;
  outboundPeers?: number;
}

/** Filled by `baseline`: how far this packet is from the VM's (or its account's / vnet's) profile. */
export interface BaselineDeviation {
  /** Absolute z-scores against the profile used (clipped). */
  sizeZ: number;
  iatZ: number;
  entropyZ: number;
  /** -log of the smoothed probability of this protocol / port class in the profile. */
  protocolSurprise: number;
  portSurprise: number;
  /** 1 when this peer (dst for egress, src for ingress) was never seen by this VM and the VM contacts it (outbound). */
  newPeer: number;
  /** 1 when this service port was never seen by this VM and the VM contacts it (outbound). */
  newPort: number;
  /** Rate of new peers+ports over the recent window, relative to the profile (fan-out). */
  fanout: number;
  /** Combined deviation, ready to weight in `score`. */
  total: number;
  /**
   * Volumetric z-scores of the sliding-window features `window` set (log rate, SYN-without-ACK share,
   * log distinct ports, log distinct peers) against the same profile; absent when `window` did not run.
   */
  rateZ?: number;
  synZ?: number;
  portsZ?: number;
  peersZ?: number;
  /** One-sided z of the bytes/s the VM sends to young peers (first contacted by it, recently). */
  youngZ?: number;
  /** One-sided z of log1p(connections the VM opened lately to this packet's peer), against the VM's usual. */
  opensZ?: number;
  /** One-sided z of the recent seconds of bulk upload to this packet's peer (sustained volume to a known peer). */
  busyZ?: number;
  /** One-sided z of the regular connections per minute the VM opens to this packet's peer (a beacon). */
  beatZ?: number;
  /** One-sided z of the DNS query name's size and randomness (a tunnel through the VM's own resolver). */
  qnameZ?: number;
  /**
   * Bits of surprise of the port class of a flow the VM opened, among the flows it usually opens (a
   * server turned client of a service it never calls); 0 on other packets.
   */
  outPortSurprise?: number;
  /**
   * The profile's expectation of this packet, which `score` compares with when no model prediction is
   * present: size and inter-arrival as geometric means (log-space means), entropy as the mean.
   */
  expectedSize?: number;
  expectedIatUs?: number;
  expectedEntropy?: number;
  /** Which profile was used: 'vm' once the VM has history, else 'account' or 'vnet' or 'none'. */
  scope: string;
  /** Packets the VM's own profile has seen. */
  vmPackets: number;
  /** True once the VM is judged by its own established profile (enough packets, or a quiet VM's age). */
  mature?: boolean;
  /**
   * How much the baseline trusted this packet as normal (1; 1 / deviation^2 when it was far off): what
   * `score` learns its threshold with, so what the baseline will not learn does not calibrate it either.
   */
  learnWeight?: number;
  snapshot: BaselineSnapshot;
}

export interface ScoreResult {
  score: number;
  threshold: number;
  anomalous: boolean;
  breakdown: ScoreBreakdown;
  topFeature: string;
  /** True while the VM's threshold is still being calibrated (never anomalous then unless extreme). */
  warmingUp: boolean;
}

export interface PacketRecord {
  packet: PacketEvent;
  /** Inter-arrival time from the VM's previous packet, microseconds (0 for its first). Set by `window`. */
  iatUs: number;
  window?: WindowFeatures;
  /** Shannon entropy of the payload sample in bits per byte (0..8), and change from the VM's previous. Set by `entropy`. */
  entropy: number;
  entropyDelta: number;
  baseline?: BaselineDeviation;
  /** The model's prediction of this packet (made from the VM's previous packets). Set by `predict`. */
  predicted?: PredictedPacket;
  modelVersion?: string;
  score?: ScoreResult;
  /** Set by `score` when the packet is anomalous; `mitigate` and the forensic sink read it. */
  anomaly?: Anomaly;
  /** The model's roll-forward from this VM's state, filled for anomalous packets when a model runs. */
  reconstructed?: PredictedPacket[];
}

export function newPacketRecord(packet: PacketEvent): PacketRecord {
  return { packet, iatUs: 0, entropy: 0, entropyDelta: 0 };
}
