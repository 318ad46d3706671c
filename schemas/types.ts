/**
 * TypeScript shapes of the Avro records in schemas/*.avsc.
 * The .avsc files are the truth; test/unit/schemas/types-match.test.ts proves these match them.
 */

/** Which side of the VM's vNIC the packet crossed. */
export type Direction = 'EGRESS' | 'INGRESS' | 'UNKNOWN';

/** TCP flag bits, as on the wire (byte 13 of the TCP header). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** IP protocol numbers we decode. */
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

/** One packet seen on a VM's vNIC. Topic `packets`, key = vmId. */
export interface PacketEvent {
  /** Capture timestamp, microseconds since the Unix epoch. */
  tsUs: number;
  vmId: string;
  accountId: string;
  vnetId: string;
  srcIp: string;
  dstIp: string;
  /** 0 where the packet carries no port (ICMP, non-first IP fragment). */
  srcPort: number;
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6). */
  protocol: number;
  /** Length on the wire in bytes (original length, not the captured length). */
  size: number;
  /** TCP flag bits; 0 for other protocols. */
  tcpFlags: number;
  direction: Direction;
  /** True for any IP fragment (first or not). A non-first fragment has no ports. */
  fragment: boolean;
  /** Length of the L4 payload in bytes (may exceed the sample). */
  payloadLength: number;
  /** The first N bytes of the L4 payload (N is the source's payloadSampleBytes). */
  payload: Buffer;
}

/** The model's (or the baseline's) expectation of a packet. */
export interface PredictedPacket {
  size: number;
  tcpFlags: number;
  entropy: number;
  /** Inter-arrival time from the previous packet of the VM, microseconds. */
  iatUs: number;
}

/** Per-feature contribution to a score. Each term is already weighted. */
export interface ScoreBreakdown {
  size: number;
  flags: number;
  entropy: number;
  iat: number;
  baseline: number;
}

/** Running profile of a VM (or account or vnet) at the time of an anomaly. */
export interface BaselineSnapshot {
  scope: string;
  key: string;
  packets: number;
  meanSize: number;
  stdSize: number;
  meanIatUs: number;
  stdIatUs: number;
  meanEntropy: number;
  stdEntropy: number;
  /** Share of packets per protocol, keyed by protocol name (tcp, udp, icmp, other). */
  protocolMix: Record<string, number>;
  distinctPeers: number;
  distinctPorts: number;
}

/** A packet scored above its VM's threshold. Topic `anomalies`, key = vmId. */
export interface Anomaly {
  id: string;
  tsUs: number;
  vmId: string;
  accountId: string;
  vnetId: string;
  score: number;
  threshold: number;
  breakdown: ScoreBreakdown;
  /** The feature that contributed most to the score. */
  topFeature: string;
  actual: PacketEvent;
  predicted: PredictedPacket;
  baseline: BaselineSnapshot;
  modelVersion: string;
}

export type MitigationAction = 'NONE' | 'ALERT' | 'RATE_LIMIT' | 'DROP' | 'SCRUB' | 'ISOLATE';

/** A change of mitigation action for a VM. Topic `mitigations`, key = vmId. */
export interface MitigationDecision {
  /** Deterministic: vmId, action and the triggering packet's timestamp, so a replay yields the same id. */
  id: string;
  tsUs: number;
  vmId: string;
  accountId: string;
  vnetId: string;
  action: MitigationAction;
  previousAction: MitigationAction;
  score: number;
  reason: string;
  /** Rate limit in kbit/s when action is RATE_LIMIT, else null. */
  rateKbps: number | null;
  /** Flow the action targets, or null for the whole VM. */
  flow: FlowRef | null;
  /** Decision expires at this time (microseconds), then the action is lifted unless renewed. */
  expiresAtUs: number;
  dryRun: boolean;
  anomalyId: string;
}

export interface FlowRef {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
}

/** An anomaly kept for investigation, with what was done about it. Topic `forensics`. */
export interface ForensicRecord {
  anomaly: Anomaly;
  /** The model's roll-forward of the next packets from the anomaly's state (may be empty). */
  reconstructed: PredictedPacket[];
  decision: MitigationDecision | null;
  incidentId: string | null;
}

/** A record that could not be decoded, with why. Topic `dead-letters`. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer;
  reason: string;
  tsMs: number;
}

/**
 * A sampled prediction beside what happened, for watching model quality. Topic `predictions`,
 * key = vmId. `actual` holds the same features as `predicted`, measured on the real packet.
 */
export interface Prediction {
  tsUs: number;
  vmId: string;
  modelVersion: string;
  predicted: PredictedPacket;
  actual: PredictedPacket;
  score: number;
}
