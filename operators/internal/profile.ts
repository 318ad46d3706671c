/**
 * A decayed traffic profile (of a VM, an account or a vnet): exponentially decayed weights with a
 * half-life in event time, weighted mean/variance by West's incremental update (numerically stable),
 * decayed protocol and port-class counts, and decayed counts of first contacts. Plain numbers and
 * number arrays so it checkpoints as JSON and can be copied into a broadcast table.
 */
import type { BaselineSnapshot } from '../../schemas/types';
import { PORT_CLASS_COUNT, PROTOCOL_COUNT, PROTOCOLS } from './packet-features';

/** The per-packet features a profile keeps moments of, as indices into `Profile.mom`. */
export const F = {
  SIZE: 0, IAT: 1, ENTROPY: 2,
  /** log1p of size and inter-arrival: the expectation of a skewed quantity is taken in log space. */
  LOG_SIZE: 3, LOG_IAT: 4,
  /**
   * Sliding-window features of `window` (log1p rate, egress SYN share, log1p distinct outbound ports /
   * peers) and of `baseline` (share of the bytes sent lately that went to young peers): the volumetric
   * ones, learnt per unit of time.
   */
  RATE: 5, SYN: 6, PORTS: 7, PEERS: 8, YOUNG: 9,
  /**
   * log1p of the connections the VM opened lately to the packet's peer (decayed count): a scan, a flood
   * or a beacon opens connection after connection to one peer, even to a peer the VM knows well.
   */
  OPENS: 10,
  /**
   * Per-(VM, peer) terms, on the packets of flows the VM opened: recent seconds of bulk upload to the
   * packet's peer (decayed count), regular connections per minute to it (log1p, scaled by regularity),
   * and the DNS query name's size and randomness (log1p(length) * entropy / 4; answers carry the VM's
   * recent level). See internal/peer-activity.ts.
   */
  BUSY: 11, BEAT: 12, QNAME: 13,
} as const;
export const FEATURE_COUNT = 14;

export interface Profile {
  /** Event time the weights were last decayed to (µs), -1 before the first packet. */
  lastUs: number;
  /** Raw packets folded in (not decayed). */
  n: number;
  /** Decayed packet weight. */
  w: number;
  /** Per feature f: [3f] decayed weight, [3f+1] mean, [3f+2] M2 (variance = M2 / weight). */
  mom: number[];
  /** Decayed counts per protocol (PROTOCOLS) and per port class (PORT_CLASSES). */
  proto: number[];
  ports: number[];
  /**
   * Decayed counts per port class of the packets of flows the VM opened (both ways): the services it
   * is a client of. A web server that starts calling port 80 elsewhere is a client it never was.
   * Profiles checkpointed before it lack it: baseline upgrades them on read, like entClass.
   */
  outPorts: number[];
  /**
   * Payload entropy per port class, [3c] weight, [3c+1] mean, [3c+2] M2: TLS is near 8 bits per byte,
   * DNS and NTP far lower, so a VM's rare plaintext protocol is judged against its own kind.
   */
  entClass: number[];
  /** Decayed counts of packets that were a first contact (new peer or new port), of new peers, of new ports. */
  novel: number;
  newPeers: number;
  newPorts: number;
}

/** A batch of packets summarised by one VM task for its account / vnet profile (sent every N packets). */
export interface ProfileUpdate {
  /** Packets, and their total learning weight. */
  n: number;
  w: number;
  lastUs: number;
  /** Per feature f: [3f] weight, [3f+1] weighted sum, [3f+2] weighted sum of squares. */
  sums: number[];
  proto: number[];
  ports: number[];
  /** Absent from the updates of workers that predate it (they may still be on the repartition topic). */
  outPorts?: number[];
  /** Per port class: [3c] weight, [3c+1] weighted sum, [3c+2] weighted sum of squares of entropy. */
  entClass: number[];
  novel: number;
  newPeers: number;
  newPorts: number;
  /** Hashes of the peers the VM first contacted (outbound) in this batch, at most UPDATE_PEERS. */
  peers: number[];
}

/** First contacts one update carries at most (a scan's thousands are not worth sharing). */
export const UPDATE_PEERS = 32;

export function newProfile(): Profile {
  return {
    lastUs: -1, n: 0, w: 0,
    mom: new Array<number>(FEATURE_COUNT * 3).fill(0),
    proto: new Array<number>(PROTOCOL_COUNT).fill(0),
    ports: new Array<number>(PORT_CLASS_COUNT).fill(0),
    outPorts: new Array<number>(PORT_CLASS_COUNT).fill(0),
    entClass: new Array<number>(PORT_CLASS_COUNT * 3).fill(0),
    novel: 0, newPeers: 0, newPorts: 0,
  };
}

export function newProfileUpdate(): ProfileUpdate {
  return {
    n: 0, w: 0, lastUs: -1,
    sums: new Array<number>(FEATURE_COUNT * 3).fill(0),
    proto: new Array<number>(PROTOCOL_COUNT).fill(0),
    ports: new Array<number>(PORT_CLASS_COUNT).fill(0),
    outPorts: new Array<number>(PORT_CLASS_COUNT).fill(0),
    entClass: new Array<number>(PORT_CLASS_COUNT * 3).fill(0),
    novel: 0, newPeers: 0, newPorts: 0,
    peers: [],
  };
}

export function resetProfileUpdate(u: ProfileUpdate): void {
  u.n = 0; u.w = 0; u.lastUs = -1; u.sums.fill(0);
  u.proto.fill(0); u.ports.fill(0); u.outPorts?.fill(0); u.entClass.fill(0); u.novel = 0; u.newPeers = 0; u.newPorts = 0;
  u.peers.length = 0;
}

/** Decays every weight to event time `tUs` (no-op for out-of-order times). */
export function decayProfile(p: Profile, tUs: number, halfLifeUs: number): void {
  if (p.lastUs < 0) {
    p.lastUs = tUs;
    return;
  }
  // Decay is multiplicative, so it can be applied in steps; skipping steps shorter than 1/1024 of
  // the half-life (0.6 s of 10 min) only leaves packets of that span undecayed (< 0.07 % of weight)
  // and saves the pow and ~30 multiplies on most packets of a busy VM.
  if (tUs - p.lastUs < halfLifeUs / 1024) return;
  const f = Math.pow(2, -(tUs - p.lastUs) / halfLifeUs);
  p.lastUs = tUs;
  p.w *= f;
  const m = p.mom;
  for (let i = 0; i < m.length; i += 3) {
    m[i] *= f;
    m[i + 2] *= f;
  }
  for (let i = 0; i < p.proto.length; i++) p.proto[i] *= f;
  for (let i = 0; i < p.ports.length; i++) p.ports[i] *= f;
  for (let i = 0; i < p.outPorts.length; i++) p.outPorts[i] *= f;
  const e = p.entClass;
  for (let i = 0; i < e.length; i += 3) {
    e[i] *= f;
    e[i + 2] *= f;
  }
  p.novel *= f; p.newPeers *= f; p.newPorts *= f;
}

/**
 * Folds one packet in with weight `wt` (0..1; call after decayProfile), and weight `wv` for the
 * volumetric (window) features. `obs[f]` is feature f's value, NaN when the packet does not measure
 * it (no previous packet, no payload, no window features). `outClass` is the port class of a packet
 * of a flow the VM opened, -1 for any other packet.
 */
export function addPacket(p: Profile, obs: ArrayLike<number>, wt: number, wv: number, proto: number, portClass: number, newPeer: number, newPort: number, outClass = -1): void {
  p.n++;
  p.w += wt;
  const m = p.mom;
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const x = obs[f];
    if (x !== x) continue; // NaN: not measured
    const fw = f >= F.RATE ? wv : wt;
    if (!(fw > 0)) continue;
    const i = 3 * f;
    const w = m[i] + fw;
    const d = x - m[i + 1];
    m[i + 1] += (fw * d) / w;
    m[i + 2] += fw * d * (x - m[i + 1]);
    m[i] = w;
  }
  p.proto[proto] += wt;
  p.ports[portClass] += wt;
  if (outClass >= 0) p.outPorts[outClass] += wt;
  const x = obs[F.ENTROPY];
  if (x === x && wt > 0) {
    const e = p.entClass;
    const i = 3 * portClass;
    const w = e[i] + wt;
    const d = x - e[i + 1];
    e[i + 1] += (wt * d) / w;
    e[i + 2] += wt * d * (x - e[i + 1]);
    e[i] = w;
  }
  if (newPeer + newPort > 0) p.novel += wt;
  p.newPeers += wt * newPeer;
  p.newPorts += wt * newPort;
}

/** Adds one packet to a pending update (same arguments as addPacket); sums are weighted. */
export function addToUpdate(u: ProfileUpdate, tsUs: number, obs: ArrayLike<number>, wt: number, wv: number, proto: number, portClass: number, newPeer: number, newPort: number, outClass = -1): void {
  u.n++;
  u.w += wt;
  if (tsUs > u.lastUs) u.lastUs = tsUs;
  const s = u.sums;
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const x = obs[f];
    if (x !== x) continue;
    const fw = f >= F.RATE ? wv : wt;
    if (!(fw > 0)) continue;
    const i = 3 * f;
    s[i] += fw;
    s[i + 1] += fw * x;
    s[i + 2] += fw * x * x;
  }
  u.proto[proto] += wt;
  u.ports[portClass] += wt;
  if (outClass >= 0 && u.outPorts !== undefined) u.outPorts[outClass] += wt;
  const x = obs[F.ENTROPY];
  if (x === x && wt > 0) {
    const i = 3 * portClass;
    u.entClass[i] += wt;
    u.entClass[i + 1] += wt * x;
    u.entClass[i + 2] += wt * x * x;
  }
  if (newPeer + newPort > 0) u.novel += wt;
  u.newPeers += wt * newPeer;
  u.newPorts += wt * newPort;
}

/** Merges a batch (Chan et al.'s parallel update) after decaying to the batch's last time. */
export function mergeUpdate(p: Profile, u: ProfileUpdate, halfLifeUs: number): void {
  decayProfile(p, u.lastUs, halfLifeUs);
  p.n += u.n;
  p.w += u.w;
  mergeMoments(p.mom, u.sums);
  mergeMoments(p.entClass, u.entClass);
  for (let i = 0; i < p.proto.length; i++) p.proto[i] += u.proto[i];
  for (let i = 0; i < p.ports.length; i++) p.ports[i] += u.ports[i];
  const uo = u.outPorts;
  if (uo !== undefined) for (let i = 0; i < uo.length; i++) p.outPorts[i] += uo[i];
  p.novel += u.novel; p.newPeers += u.newPeers; p.newPorts += u.newPorts;
}

/** Chan et al.'s parallel update of moments [w, mean, M2]* with sums [w, Σwx, Σwx²]*. */
function mergeMoments(m: number[], s: number[]): void {
  for (let i = 0; i < m.length; i += 3) {
    const n = s[i];
    if (!(n > 0)) continue;
    const bm = s[i + 1] / n;
    const bM2 = Math.max(0, s[i + 2] - n * bm * bm);
    const W = m[i];
    const W2 = W + n;
    const d = bm - m[i + 1];
    m[i + 1] += (d * n) / W2;
    m[i + 2] += bM2 + (d * d * W * n) / W2;
    m[i] = W2;
  }
}

export function weightOf(p: Profile, f: number): number {
  return p.mom[3 * f];
}

export function meanOf(p: Profile, f: number): number {
  return p.mom[3 * f + 1];
}

export function stdOf(p: Profile, f: number): number {
  const w = p.mom[3 * f];
  return w > 0 ? Math.sqrt(Math.max(0, p.mom[3 * f + 2] / w)) : 0;
}

/**
 * Bits of surprise of a flow the VM opened being of port class `c`: Laplace-smoothed share among the
 * packets of the flows it opened. Few such packets give few bits (a young profile knows little).
 */
export function outPortSurprise(p: Profile, c: number, clip: number): number {
  const o = p.outPorts;
  let total = 0;
  for (let i = 0; i < o.length; i++) total += o[i];
  const s = -Math.log2((o[c] + 0.5) / (total + 0.5 * o.length));
  return s < clip ? s : clip;
}

/** Share of packets that were a first contact: the profile's "normal" novelty rate. */
export function noveltyShare(p: Profile): number {
  return p.w > 0 ? Math.min(1, p.novel / p.w) : 0;
}

/** A fresh snapshot object (never mutated afterwards, so records and anomalies may keep it). */
export function snapshotOf(p: Profile, scope: string, key: string, distinctPeers: number, distinctPorts: number): BaselineSnapshot {
  let total = 0;
  for (let i = 0; i < p.proto.length; i++) total += p.proto[i];
  const protocolMix: Record<string, number> = {};
  for (let i = 0; i < PROTOCOLS.length; i++) protocolMix[PROTOCOLS[i]] = total > 0 ? p.proto[i] / total : 0;
  return {
    scope,
    key,
    packets: p.n,
    meanSize: meanOf(p, F.SIZE),
    stdSize: stdOf(p, F.SIZE),
    meanIatUs: meanOf(p, F.IAT),
    stdIatUs: stdOf(p, F.IAT),
    meanEntropy: meanOf(p, F.ENTROPY),
    stdEntropy: stdOf(p, F.ENTROPY),
    protocolMix,
    distinctPeers: Math.round(distinctPeers),
    distinctPorts: Math.round(distinctPorts),
  };
}

export function cloneProfile(p: Profile): Profile {
  return { ...p, mom: p.mom.slice(), proto: p.proto.slice(), ports: p.ports.slice(), outPorts: p.outPorts.slice(), entClass: p.entClass.slice() };
}
