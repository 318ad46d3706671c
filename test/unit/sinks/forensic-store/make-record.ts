/** Builders of ForensicRecords for the forensic store tests. */
import type { ForensicRecord, MitigationAction, MitigationDecision, PacketEvent } from '../../../../schemas/types';

export const T0 = 1_767_225_600_000_000;
export const MIN = 60_000_000;

export function packetEvent(over: Partial<PacketEvent> = {}): PacketEvent {
  return {
    tsUs: T0, vmId: 'vm-1', accountId: 'acct-a', vnetId: 'vnet-1', srcIp: '10.0.0.5', dstIp: '10.0.0.9',
    srcPort: 40000, dstPort: 443, protocol: 6, size: 54, tcpFlags: 0x02, direction: 'EGRESS', fragment: false,
    payloadLength: 0, payload: Buffer.alloc(0), ...over,
  };
}

let seq = 0;

export function forensic(tsUs: number, vmId = 'vm-1', opts: { score?: number; threshold?: number; action?: MitigationAction; accountId?: string; top?: string } = {}): ForensicRecord {
  const accountId = opts.accountId ?? 'acct-a';
  const score = opts.score ?? 12;
  const p = packetEvent({ tsUs, vmId, accountId, payload: Buffer.from('hello, world'), payloadLength: 12, size: 54 + 12 + 12, tcpFlags: 0x18 });
  const decision: MitigationDecision | null = opts.action === undefined ? null : {
    id: `${vmId}:${opts.action}:${tsUs}`, tsUs, vmId, accountId, vnetId: 'vnet-1', action: opts.action, previousAction: 'NONE', score,
    reason: 'test', rateKbps: null, flow: null, expiresAtUs: tsUs + 5 * MIN, dryRun: false, anomalyId: `${vmId}:${tsUs}:${seq}`,
  };
  const breakdown = { size: 1, flags: 0.5, entropy: 0.5, iat: 0, baseline: score - 2 };
  return {
    anomaly: {
      id: `${vmId}:${tsUs}:${seq++}`, tsUs, vmId, accountId, vnetId: 'vnet-1', score, threshold: opts.threshold ?? 10, breakdown,
      topFeature: opts.top ?? 'baseline', actual: p, predicted: { size: 300, tcpFlags: 0x10, entropy: 5, iatUs: 1000 },
      baseline: { scope: 'vm', key: vmId, packets: 900, meanSize: 400, stdSize: 120, meanIatUs: 20000, stdIatUs: 9000, meanEntropy: 5.5, stdEntropy: 0.4, protocolMix: { tcp: 0.9, udp: 0.1, icmp: 0, other: 0 }, distinctPeers: 12, distinctPorts: 3 },
      modelVersion: 'baseline-only',
    },
    reconstructed: [{ size: 310, tcpFlags: 0x18, entropy: 5.1, iatUs: 900 }],
    decision,
    incidentId: null,
  };
}
