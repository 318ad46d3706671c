/**
 * Per-packet model inputs and targets. Features are written into a caller-owned Float32Array
 * row (no allocation per packet); the spec (names + version) is saved with every model so a
 * model trained on other features is refused at load instead of silently mispredicting.
 */
import type { Direction, PacketEvent, PredictedPacket } from '../schemas/types';
import type { PacketRecord } from '../operators/packet-record';
// The entropy operator computes the same function at inference; training rows must match it.
import { shannonEntropy } from './shannon-entropy';
export { shannonEntropy };

export interface FeatureSpec {
  name: string;
  version: number;
  names: readonly string[];
}

const FLAG_NAMES = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] as const;
const PORT_CLASSES = ['http', 'https', 'dns', 'ssh', 'smbrdp', 'db', 'ephemeral', 'other'] as const;
export type PortClass = (typeof PORT_CLASSES)[number];

export const FEATURE_SPEC: FeatureSpec = {
  name: 'prescient-packet',
  version: 1,
  names: [
    'log1p_size',
    'log1p_iat_us',
    ...FLAG_NAMES.map((f) => `flag_${f}`),
    'proto_tcp',
    'proto_udp',
    'proto_icmp',
    'proto_other',
    'dir_egress',
    'dir_ingress',
    ...PORT_CLASSES.map((p) => `port_${p}`),
    'entropy_norm',
    'new_peer',
  ],
};

export const FEATURE_COUNT = FEATURE_SPEC.names.length;

/** Column indexes of the features the targets are taken from (and the roll-forward writes back). */
export const COL = {
  size: 0,
  iat: 1,
  flags: 2,
  proto: 10,
  dir: 14,
  port: 16,
  entropy: 24,
  newPeer: 25,
} as const;

/** Target layout: the next packet's log1p(size), 8 flag bits, entropy/8, log1p(iat us). */
export const TARGET_NAMES: readonly string[] = ['log1p_size', ...FLAG_NAMES.map((f) => `flag_${f}`), 'entropy_norm', 'log1p_iat_us'];
export const TARGET_COUNT = TARGET_NAMES.length;
export const TGT = { size: 0, flags: 1, entropy: 9, iat: 10 } as const;
/** Feature column each regression target is read from; the scaler's stats for that column scale it. */
export const REGRESSION_TARGET_COLS: readonly number[] = [COL.size, COL.entropy, COL.iat];
export const REGRESSION_TARGET_SLOTS: readonly number[] = [TGT.size, TGT.entropy, TGT.iat];

/** What the feature writer needs about one packet; PacketRecord and training rows both map onto it. */
export interface FeatureInput {
  size: number;
  iatUs: number;
  tcpFlags: number;
  protocol: number;
  direction: Direction;
  srcPort: number;
  dstPort: number;
  /** Shannon entropy of the payload sample, bits per byte (0..8). */
  entropy: number;
  /** 1 when the peer is new for this VM. */
  newPeer: number;
}

const PORT_CLASS_BY_PORT = new Map<number, number>();
function addPorts(cls: PortClass, ports: number[]): void {
  for (const p of ports) PORT_CLASS_BY_PORT.set(p, PORT_CLASSES.indexOf(cls));
}
addPorts('http', [80, 8000, 8008, 8080, 8081]);
addPorts('https', [443, 8443]);
addPorts('dns', [53, 5353]);
addPorts('ssh', [22]);
addPorts('smbrdp', [139, 445, 3389]);
addPorts('db', [1433, 1521, 3306, 5432, 5984, 6379, 9042, 27017]);
const EPHEMERAL = PORT_CLASSES.indexOf('ephemeral');
const OTHER = PORT_CLASSES.indexOf('other');
/** Linux starts its ephemeral range at 32768 (IANA at 49152); the lower bound catches both. */
const EPHEMERAL_FROM = 32768;

function classOf(port: number): number {
  const known = PORT_CLASS_BY_PORT.get(port);
  if (known !== undefined) return known;
  return port >= EPHEMERAL_FROM ? EPHEMERAL : OTHER;
}

/**
 * The service side of the flow decides the class: the destination port, unless it is not a
 * known service and the source port is (a server's reply), so both directions of a flow agree.
 */
export function portClass(srcPort: number, dstPort: number): number {
  const dst = classOf(dstPort);
  if (dst < EPHEMERAL) return dst;
  const src = PORT_CLASS_BY_PORT.get(srcPort);
  return src !== undefined ? src : dst;
}

export function portClassName(index: number): PortClass {
  return PORT_CLASSES[index];
}

/** Writes the FEATURE_COUNT unscaled features of one packet at row[offset..]. */
export function writeFeatures(row: Float32Array, offset: number, f: FeatureInput): void {
  writeRow(row, offset, f.size, f.iatUs, f.tcpFlags, f.protocol, f.direction, f.srcPort, f.dstPort, f.entropy, f.newPeer > 0);
}

/** Features of an annotated record: iat from `window`, entropy from `entropy`, novelty from `baseline`. */
export function writeRecordFeatures(row: Float32Array, offset: number, rec: PacketRecord): void {
  const p = rec.packet;
  writeRow(row, offset, p.size, rec.iatUs, p.tcpFlags, p.protocol, p.direction, p.srcPort, p.dstPort, rec.entropy, rec.baseline !== undefined && rec.baseline.newPeer > 0);
}

// One writer for training rows (FeatureInput) and inference rows (PacketRecord), so the two cannot
// drift; scalar arguments keep the per-packet path free of allocation.
function writeRow(
  row: Float32Array, offset: number, size: number, iatUs: number, tcpFlags: number, protocol: number,
  direction: string, srcPort: number, dstPort: number, entropy: number, newPeer: boolean,
): void {
  row[offset + COL.size] = Math.log1p(Math.max(0, size));
  row[offset + COL.iat] = Math.log1p(Math.max(0, iatUs));
  const flags = protocol === 6 ? tcpFlags : 0;
  for (let b = 0; b < 8; b++) row[offset + COL.flags + b] = (flags >> b) & 1;
  const proto = protocol === 6 ? 0 : protocol === 17 ? 1 : protocol === 1 || protocol === 58 ? 2 : 3;
  for (let k = 0; k < 4; k++) row[offset + COL.proto + k] = k === proto ? 1 : 0;
  row[offset + COL.dir] = direction === 'EGRESS' ? 1 : 0;
  row[offset + COL.dir + 1] = direction === 'INGRESS' ? 1 : 0;
  const cls = portClass(srcPort, dstPort);
  for (let k = 0; k < 8; k++) row[offset + COL.port + k] = k === cls ? 1 : 0;
  row[offset + COL.entropy] = Math.min(1, Math.max(0, entropy / 8));
  row[offset + COL.newPeer] = newPeer ? 1 : 0;
}

/** One VM's packets as an unscaled (n x FEATURE_COUNT) row-major matrix, in time order. */
export interface VmSequence {
  vmId: string;
  rows: Float32Array;
  length: number;
}

/**
 * Builds per-VM feature matrices from packets in time order, computing iat from timestamps,
 * entropy from the payload sample and peer novelty from the peers seen so far (as `baseline`
 * would), without keeping the packets. Rows grow by doubling.
 */
export class SequenceBuilder {
  private readonly vms = new Map<string, { rows: Float32Array; length: number; lastTs: number; peers: Set<string> }>();
  private readonly input: FeatureInput = { size: 0, iatUs: 0, tcpFlags: 0, protocol: 0, direction: 'UNKNOWN', srcPort: 0, dstPort: 0, entropy: 0, newPeer: 0 };

  /** Packets per VM kept at most (later ones are ignored), to bound memory. */
  constructor(private readonly maxPerVm = Number.POSITIVE_INFINITY) {}

  add(p: PacketEvent): void {
    let vm = this.vms.get(p.vmId);
    if (vm === undefined) this.vms.set(p.vmId, (vm = { rows: new Float32Array(64 * FEATURE_COUNT), length: 0, lastTs: p.tsUs, peers: new Set() }));
    if (vm.length >= this.maxPerVm) return;
    if ((vm.length + 1) * FEATURE_COUNT > vm.rows.length) {
      const grown = new Float32Array(vm.rows.length * 2);
      grown.set(vm.rows);
      vm.rows = grown;
    }
    const peer = p.direction === 'INGRESS' ? p.srcIp : p.dstIp;
    const f = this.input;
    f.size = p.size;
    f.iatUs = vm.length === 0 ? 0 : Math.max(0, p.tsUs - vm.lastTs);
    f.tcpFlags = p.tcpFlags;
    f.protocol = p.protocol;
    f.direction = p.direction;
    f.srcPort = p.srcPort;
    f.dstPort = p.dstPort;
    f.entropy = shannonEntropy(p.payload);
    f.newPeer = vm.peers.has(peer) ? 0 : 1;
    vm.peers.add(peer);
    vm.lastTs = p.tsUs;
    writeFeatures(vm.rows, vm.length * FEATURE_COUNT, f);
    vm.length++;
  }

  get packets(): number {
    let n = 0;
    for (const vm of this.vms.values()) n += vm.length;
    return n;
  }

  sequences(): VmSequence[] {
    return [...this.vms].map(([vmId, vm]) => ({ vmId, rows: vm.rows.subarray(0, vm.length * FEATURE_COUNT), length: vm.length }));
  }
}

/** Groups packets (any order) by VM, sorts each VM's by time and builds their feature matrices. */
export function sequencesFromPackets(packets: Iterable<PacketEvent>): VmSequence[] {
  const sorted = [...packets].sort((a, b) => a.tsUs - b.tsUs);
  const b = new SequenceBuilder();
  for (const p of sorted) b.add(p);
  return b.sequences();
}

/**
 * Writes the (unscaled) training targets for step t: the features of packet t+1 that the model
 * predicts. `rows` is one VM's matrix; t+1 must exist.
 */
export function writeTargets(rows: Float32Array, t: number, out: Float32Array, outOffset: number): void {
  const next = (t + 1) * FEATURE_COUNT;
  out[outOffset + TGT.size] = rows[next + COL.size];
  for (let b = 0; b < 8; b++) out[outOffset + TGT.flags + b] = rows[next + COL.flags + b];
  out[outOffset + TGT.entropy] = rows[next + COL.entropy];
  out[outOffset + TGT.iat] = rows[next + COL.iat];
}

/** Decodes an unscaled target vector (log1p size, flag probabilities, entropy/8, log1p iat) into a packet. */
export function decodePrediction(t: ArrayLike<number>, offset: number): PredictedPacket {
  let flags = 0;
  for (let b = 0; b < 8; b++) if (t[offset + TGT.flags + b] >= 0.5) flags |= 1 << b;
  return {
    size: Math.max(0, Math.expm1(t[offset + TGT.size])),
    tcpFlags: flags,
    entropy: Math.min(8, Math.max(0, t[offset + TGT.entropy] * 8)),
    iatUs: Math.max(0, Math.expm1(t[offset + TGT.iat])),
  };
}
