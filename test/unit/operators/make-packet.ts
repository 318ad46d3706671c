/** Builders of PacketEvent / PacketRecord for the operator tests. */
import type { PacketEvent } from '../../../schemas/types';
import { newPacketRecord, type PacketRecord } from '../../../operators/packet-record';

export const T0 = 1_700_000_000_000_000; // µs, a fixed epoch so tests are deterministic

export function packet(over: Partial<PacketEvent> = {}): PacketEvent {
  return {
    tsUs: T0,
    vmId: 'vm-1',
    accountId: 'acct-a',
    vnetId: 'vnet-1',
    srcIp: '10.0.0.5',
    dstIp: '10.0.0.9',
    srcPort: 40000,
    dstPort: 443,
    protocol: 6,
    size: 200,
    tcpFlags: 0x18,
    direction: 'EGRESS',
    fragment: false,
    payloadLength: 0,
    payload: Buffer.alloc(0),
    ...over,
  };
}

export function rec(over: Partial<PacketEvent> = {}): PacketRecord {
  return newPacketRecord(packet(over));
}

/** Deterministic PRNG (mulberry32) for test traffic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
