/**
 * One sample per record interface, typed with the interface so a field missing or extra on the TS
 * side fails `tsc`; the tests check the same samples against the .avsc at run time.
 */
import type {
  Anomaly,
  BaselineSnapshot,
  DeadLetter,
  Direction,
  FlowRef,
  ForensicRecord,
  MitigationAction,
  MitigationDecision,
  PacketEvent,
  PredictedPacket,
  Prediction,
  ScoreBreakdown,
} from '../../../schemas/types';

/** Every symbol of the TS unions; the type-level checks below fail tsc when one is missing. */
export const DIRECTIONS = ['EGRESS', 'INGRESS', 'UNKNOWN'] as const satisfies readonly Direction[];
export const MITIGATION_ACTIONS = ['NONE', 'ALERT', 'RATE_LIMIT', 'DROP', 'SCRUB', 'ISOLATE'] as const satisfies readonly MitigationAction[];
const directionsComplete: [Exclude<Direction, (typeof DIRECTIONS)[number]>] extends [never] ? true : false = true;
const actionsComplete: [Exclude<MitigationAction, (typeof MITIGATION_ACTIONS)[number]>] extends [never] ? true : false = true;
export const unionsComplete = directionsComplete && actionsComplete;

export const packetEvent: PacketEvent = {
  tsUs: 1_700_000_000_123_456,
  vmId: 'vm-1',
  accountId: 'acct-1',
  vnetId: 'vnet-1',
  srcIp: '10.0.0.4',
  dstIp: '2001:db8::1',
  srcPort: 51515,
  dstPort: 443,
  protocol: 6,
  size: 1514,
  tcpFlags: 0x18,
  direction: 'EGRESS',
  fragment: true,
  payloadLength: 1460,
  payload: Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00]),
};

export const predictedPacket: PredictedPacket = { size: 812.5, tcpFlags: 16, entropy: 7.25, iatUs: 1250.75 };

export const scoreBreakdown: ScoreBreakdown = { size: 0.5, flags: 0.25, entropy: 2.5, iat: 0.125, baseline: 1.75 };

export const baselineSnapshot: BaselineSnapshot = {
  scope: 'vm',
  key: 'vm-1',
  packets: 5_000_000_000,
  meanSize: 640.5,
  stdSize: 210.25,
  meanIatUs: 900.5,
  stdIatUs: 300.25,
  meanEntropy: 5.5,
  stdEntropy: 1.25,
  protocolMix: { tcp: 0.75, udp: 0.125, icmp: 0.0625, other: 0.0625 },
  distinctPeers: 12,
  distinctPorts: 4,
};

export const anomaly: Anomaly = {
  id: 'vm-1:1700000000123456',
  tsUs: 1_700_000_000_123_456,
  vmId: 'vm-1',
  accountId: 'acct-1',
  vnetId: 'vnet-1',
  score: 9.5,
  threshold: 4.25,
  breakdown: scoreBreakdown,
  topFeature: 'entropy',
  actual: packetEvent,
  predicted: predictedPacket,
  baseline: baselineSnapshot,
  modelVersion: 'lstm-default@3',
};

export const flowRef: FlowRef = { srcIp: '10.0.0.4', dstIp: '203.0.113.9', srcPort: 51515, dstPort: 443, protocol: 6 };

export const mitigationDecision: MitigationDecision = {
  id: 'vm-1:RATE_LIMIT:1700000000123456',
  tsUs: 1_700_000_000_123_456,
  vmId: 'vm-1',
  accountId: 'acct-1',
  vnetId: 'vnet-1',
  action: 'RATE_LIMIT',
  previousAction: 'ALERT',
  score: 9.5,
  reason: 'tier rate-limit (score >= 8)',
  rateKbps: 512.5,
  flow: flowRef,
  expiresAtUs: 1_700_000_060_123_456,
  dryRun: false,
  anomalyId: 'vm-1:1700000000123456',
};

/** The same decision with every nullable field null. */
export const mitigationDecisionNulls: MitigationDecision = {
  ...mitigationDecision,
  action: 'ISOLATE',
  rateKbps: null,
  flow: null,
};

export const forensicRecord: ForensicRecord = {
  anomaly,
  reconstructed: [predictedPacket, { size: 60, tcpFlags: 4, entropy: 0, iatUs: 10 }],
  decision: mitigationDecision,
  incidentId: 'inc-42',
};

export const forensicRecordNulls: ForensicRecord = { anomaly, reconstructed: [], decision: null, incidentId: null };

export const prediction: Prediction = {
  tsUs: 1_700_000_000_123_456,
  vmId: 'vm-1',
  modelVersion: 'lstm-default@3',
  predicted: predictedPacket,
  actual: { size: 1514, tcpFlags: 24, entropy: 7.9, iatUs: 80 },
  score: 3.5,
};

export const deadLetter: DeadLetter = {
  topic: 'packets',
  partition: 3,
  offset: '9007199254740993',
  key: Buffer.from('vm-1'),
  value: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
  reason: 'bad-magic: expected c301, got dead',
  tsMs: 1_700_000_000_123,
};

export const deadLetterNulls: DeadLetter = { ...deadLetter, key: null };

/** Samples by the Avro full name of their record; every named record must appear here. */
export const samplesByName: Record<string, unknown[]> = {
  'io.prescient.PacketEvent': [packetEvent, { ...packetEvent, direction: 'UNKNOWN', fragment: false, payload: Buffer.alloc(0) }],
  'io.prescient.PredictedPacket': [predictedPacket],
  'io.prescient.ScoreBreakdown': [scoreBreakdown],
  'io.prescient.BaselineSnapshot': [baselineSnapshot, { ...baselineSnapshot, protocolMix: {} }],
  'io.prescient.Anomaly': [anomaly],
  'io.prescient.FlowRef': [flowRef],
  'io.prescient.MitigationDecision': [mitigationDecision, mitigationDecisionNulls],
  'io.prescient.ForensicRecord': [forensicRecord, forensicRecordNulls],
  'io.prescient.Prediction': [prediction],
  'io.prescient.DeadLetter': [deadLetter, deadLetterNulls],
};
