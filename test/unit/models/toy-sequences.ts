/**
 * Deterministic toy traffic for model tests: each VM repeats a request/response exchange
 * (SYN, SYN-ACK, ACK, request, response, FIN) with seeded jitter, so an LSTM can learn it.
 */
import { FEATURE_COUNT, FeatureInput, VmSequence, writeFeatures } from '../../../models/features';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATTERN: Array<Omit<FeatureInput, 'iatUs' | 'newPeer'> & { iatUs: number }> = [
  { size: 74, iatUs: 200000, tcpFlags: 0x02, protocol: 6, direction: 'EGRESS', srcPort: 40000, dstPort: 443, entropy: 0 },
  { size: 74, iatUs: 300, tcpFlags: 0x12, protocol: 6, direction: 'INGRESS', srcPort: 443, dstPort: 40000, entropy: 0 },
  { size: 66, iatUs: 50, tcpFlags: 0x10, protocol: 6, direction: 'EGRESS', srcPort: 40000, dstPort: 443, entropy: 0 },
  { size: 580, iatUs: 80, tcpFlags: 0x18, protocol: 6, direction: 'EGRESS', srcPort: 40000, dstPort: 443, entropy: 7.2 },
  { size: 1400, iatUs: 900, tcpFlags: 0x18, protocol: 6, direction: 'INGRESS', srcPort: 443, dstPort: 40000, entropy: 7.8 },
  { size: 66, iatUs: 60, tcpFlags: 0x11, protocol: 6, direction: 'EGRESS', srcPort: 40000, dstPort: 443, entropy: 0 },
  { size: 90, iatUs: 5000, tcpFlags: 0, protocol: 17, direction: 'EGRESS', srcPort: 50000, dstPort: 53, entropy: 4.1 },
];

/** One VM's toy packets (feature inputs), deterministic for a seed. */
export function toyInputs(length: number, seed: number): FeatureInput[] {
  const rnd = mulberry32(seed);
  const out: FeatureInput[] = [];
  for (let i = 0; i < length; i++) {
    const p = PATTERN[i % PATTERN.length];
    const jitter = 1 + (rnd() - 0.5) * 0.2;
    out.push({
      ...p,
      size: Math.round(p.size * (p.size > 100 ? jitter : 1)),
      iatUs: i === 0 ? 0 : p.iatUs * jitter,
      entropy: p.entropy > 0 ? Math.min(8, p.entropy * jitter) : 0,
      newPeer: i < PATTERN.length ? 1 : 0,
    });
  }
  return out;
}

/** One VM's toy sequence of `length` packets. */
export function toySequence(vmId: string, length: number, seed: number): VmSequence {
  const rows = new Float32Array(length * FEATURE_COUNT);
  toyInputs(length, seed).forEach((f, i) => writeFeatures(rows, i * FEATURE_COUNT, f));
  return { vmId, rows, length };
}

export function toySequences(vms: number, length: number, seed = 1): VmSequence[] {
  return Array.from({ length: vms }, (_, v) => toySequence(`vm-${v}`, length, seed * 1000 + v));
}
