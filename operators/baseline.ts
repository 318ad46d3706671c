/**
 * baseline: the decayed running profile of each VM (and of its account and vnet), and how far each
 * packet is from it.
 *
 * Fills `record.baseline` (BaselineDeviation). The packet is scored against the profile BEFORE it is
 * added. A VM not yet established (fewer than `minHistory` packets, or younger than `minHistoryAge`) is
 * scored against its account's profile (else its vnet's, read from the broadcast table
 * `baseline-profiles`), and its novelty signals are damped while it is new, so a freshly deployed VM does
 * not raise a storm of "new peer" alarms. First contacts count when the VM makes them (outbound); a peer
 * it first contacts once established, and that its account does not already reach, is young for
 * `peerYouth`, and the share of its egress bytes going to young peers is scored (`youngZ`).
 *
 * Known peers (what peer novelty cannot see): per slot of the VM's peer set, the recent seconds of bulk
 * upload to that peer (`busyZ`: exfiltration to its usual server), the regularity and rate of the
 * connections it opens to it (`beatZ`: a beacon to a site it uses), and per VM the size and randomness
 * of its DNS query names (`qnameZ`: a tunnel through its own resolver); see internal/peer-activity.ts.
 *
 * Scope profiles: every `aggregateEvery` packets (or `publishEvery` of event time) a VM task sends a
 * compact ProfileUpdate to the repartition streams `baseline-account` (keyed by accountId) and
 * `baseline-vnet` (keyed by vnetId); `onRepartitioned` folds it into that scope's keyed state and
 * publishes a ScopeProfileView to `baseline-profiles` as `account:<id>` / `vnet:<id>`, at most once per
 * `publishEvery` of event time.
 */
import { z } from 'zod';
import type { Collector, BroadcastTable, Operator, OperatorContext, OperatorDefinition, RepartitionChannel } from './contract';
import type { BaselineDeviation, PacketRecord } from './packet-record';
import type { BaselineSnapshot } from '../schemas/types';
import type { ValueState } from '../state/keyed-state';
import { positiveDurationUs } from './config/duration';
import { hashInt, hasPorts, hash32, isOutbound, isOutboundFlow, peerOf, portClassIndex, protocolIndex, servicePort } from './internal/packet-features';
import { cloneHashSet, hashSetFind, hashSetTouchSlot, newBoundedHashSet, type BoundedHashSet } from './internal/bounded-hash-set';
import {
  addPacket, addToUpdate, cloneProfile, decayProfile, mergeUpdate, newProfile, newProfileUpdate, noveltyShare, outPortSurprise,
  meanOf, resetProfileUpdate, snapshotOf, stdOf, weightOf, F, FEATURE_COUNT, UPDATE_PEERS, type Profile, type ProfileUpdate,
} from './internal/profile';
import { addPeerBytes, addPeerOpen, newPeerActivity, peerBeat, resetPeerSlot, type PeerActivity } from './internal/peer-activity';
import { parseDnsQueryName, type DnsQueryName } from './dns-tunnel';

const SCOPES = ['vm', 'account', 'vnet'] as const;

export const baselineConfigSchema = z
  .object({
    /** Half-life of the profiles' exponential decay, in event time. */
    halfLife: positiveDurationUs.default('10m'),
    /** Profiles kept: the VM's own always; account and vnet profiles when listed. */
    scopes: z.array(z.enum(SCOPES)).nonempty().default(['vm', 'account', 'vnet']),
    /** Packets a VM needs before it is scored against its own profile. */
    minHistory: z.number().int().nonnegative().default(200),
    /**
     * A quiet VM that never reaches minHistory is judged by its own profile once it has been seen for
     * minHistoryAge with at least minHistoryQuiet packets: it is not new, only quiet.
     */
    minHistoryAge: positiveDurationUs.default('30s'),
    minHistoryQuiet: z.number().int().nonnegative().default(16),
    /**
     * The client-side service classes (outPortSurprise) are judged once the VM has been watched this long:
     * before, its periodic jobs (an NTP poll a minute, a nightly-style copy) have not all shown yet, and
     * its first call of each would count as a class it never calls.
     */
    clientClassAfter: positiveDurationUs.default('2m'),
    /** A peer the VM first contacted (outbound) once its profile was established is young this long. */
    peerYouth: positiveDurationUs.default('30s'),
    /** State of a VM (or scope) silent for this long is dropped (processing time). */
    ttl: positiveDurationUs.default('1h'),
    /** A scope profile is published to the broadcast table at most this often (event time). */
    publishEvery: positiveDurationUs.default('1s'),
    /** A VM sends its scope update after this many packets (or publishEvery of event time). */
    aggregateEvery: z.number().int().positive().default(32),
    /** Capacity of the per-VM sets of peers and destination ports (bounded; oldest evicted). */
    peerCapacity: z.number().int().min(16).max(65536).default(512),
    /** Capacity of an account's / vnet's set of the peers its VMs reached out to. */
    scopePeerCapacity: z.number().int().min(16).max(65536).default(1024),
    portCapacity: z.number().int().min(16).max(65536).default(256),
    /** Half-life, in packets, of the VM's recent first-contact share (the fan-out window). */
    fanoutPackets: z.number().positive().default(50),
    /** The VM's own snapshot is rebuilt every this many packets (records share it in between). */
    snapshotEvery: z.number().int().positive().default(64),
    /** Packets whose deviation total exceeds this are learnt with weight (learnLimit / total)^2. */
    learnLimit: z.number().positive().default(4),
    /** z-scores are clipped to this. */
    zClip: z.number().positive().default(8),
  })
  .strict();

export type BaselineConfig = z.output<typeof baselineConfigSchema>;

/** Published per account / vnet in the broadcast table `baseline-profiles`. Never mutated once put. */
export interface ScopeProfileView {
  profile: Profile;
  snapshot: BaselineSnapshot;
  /** Peers the scope's VMs reached out to (a copy). */
  peers?: BoundedHashSet;
}

/** Per-VM keyed state. */
export interface BaselineVmState {
  accountId: string;
  vnetId: string;
  profile: Profile;
  peers: BoundedHashSet;
  ports: BoundedHashSet;
  /** Decayed share of recent packets that were a first contact (half-life fanoutPackets). */
  recentNovel: number;
  /** Event time of the VM's first packet, and when its profile became established (-1: not yet). */
  firstUs: number;
  matureAtUs: number;
  /** Bytes sent (to young peers, and in all), decayed with time constant YOUNG_TAU_US, as of youngAtUs. */
  youngBytes: number;
  egressBytes: number;
  youngAtUs: number;
  /** Decayed share of recent packets that were far from the profile (half-life 16 packets). */
  recentFar: number;
  /**
   * Per slot of `peers`: connections the VM opened to that peer, decayed with time constant
   * OPENS_TAU_US, as of peerOpensAt[slot] (the per-peer profile behind F.OPENS).
   */
  peerOpens: number[];
  peerOpensAt: number[];
  /** Per slot of `peers`: recent seconds of bulk upload, and the intervals between opened connections. */
  peerActivity: PeerActivity;
  /** The VM's recent DNS query-name level (F.QNAME, NaN before its first query): what its answers carry. */
  qnameLevel: number;
  /** Pending scope update and the event time of its first packet. */
  pending: ProfileUpdate;
  pendingFirstUs: number;
  snapshot: BaselineSnapshot | null;
  snapshotAt: number;
}

/** Keyed state of an account or vnet profile. */
export interface ScopeProfileState {
  profile: Profile;
  publishedUs: number;
  /** Peers the scope's VMs first contacted (outbound): a peer new to one VM but known to its account is not new. */
  peers: BoundedHashSet;
}

export const BASELINE_PROFILES_TABLE = 'baseline-profiles';
/** Shared by the updates that carry no first contact (receivers never mutate an update). */
const NO_PEERS: number[] = [];
const ACCOUNT_STREAM = 'baseline-account';
const VNET_STREAM = 'baseline-vnet';

/** Floors of the standard deviations, so a perfectly regular VM does not turn 1 byte into 100 sigmas. */
function sizeStdFloor(mean: number): number { return 8 + 0.05 * mean; }
/** Std floor of log-space features: a factor of ~1.3. */
const LOG_STD_FLOOR = 0.25;
const SHARE_STD_FLOOR = 0.05;
const ENTROPY_STD_FLOOR = 0.1;
/** Weight of a port class's entropy samples before they, not the VM's overall ones, are the reference. */
const ENTROPY_CLASS_MIN_WEIGHT = 4;
/** Young-peer volume is log bytes/s: a factor of ~7 is one sigma, so a handshake is not an upload. */
/** Bytes in the young-peer share's denominator beyond what was sent: one small packet is not a share. */
const YOUNG_PRIOR_BYTES = 1500;
const SURPRISE_CLIP = 10;
/**
 * Client-side port class: bits of surprise below OUT_PORT_DEAD_BITS (a class in 1 of 4 of the VM's
 * outbound-flow packets) are its everyday mix; each bit past it weighs OUT_PORT_WEIGHT. Set on seed 7
 * (dead zone 2-6 bits, weight 1.5-3 swept; benchmarks/results/real-attacks-2026-11-26-session3.md).
 */
const OUT_PORT_DEAD_BITS = 2;
const OUT_PORT_WEIGHT = 2;
const NOVELTY_SHARE_FLOOR = 0.02;
/** A volumetric z above this slows learning. */
const VOLUME_LEARN_Z = 3;
/** Time constant of the young-peer byte rate (the window operator's usual size). */
const YOUNG_TAU_US = 1_000_000;
/**
 * A packet far from the profile teaches its volumetric features at most once per this much event time
 * (and by 1 / deviation^2): a flood of thousands of packets per second is as slow to become "normal"
 * as one packet a second, so a lasting change is learnt as the old profile decays, not in seconds.
 */
const FAR_LEARN_US = 1_000_000;
/** Far-off packets are sustained when more than this share of the recent ones (half-life 16) are. */
const FAR_SUSTAINED = 0.25;
const FAR_ALPHA = 1 - Math.pow(2, -1 / 16);
/**
 * Time constant of the per-peer count of opened connections: a minute, so a beacon every few seconds
 * or an upload that reconnects every few seconds stands out against a backup's one connection per run.
 */
const OPENS_TAU_US = 60_000_000;
/** Weight of the per-(VM, peer) terms (busy seconds, beat, query name) in the total. */
const KNOWN_PEER_WEIGHT = 2;
/** z of a per-(VM, peer) term below which it is noise (adds nothing to the total). */
const KNOWN_PEER_DEAD_ZONE = 1;
function excess(z: number): number { return z > KNOWN_PEER_DEAD_ZONE ? z - KNOWN_PEER_DEAD_ZONE : 0; }
/** Std floor of the busy-seconds feature: a database dump of a few seconds is within a sigma anywhere. */
const BUSY_STD_FLOOR = 2.5;
/** Std floor of the query-name feature (log1p(length) * entropy / 4): a name ~1.3x longer is one sigma. */
const QNAME_STD_FLOOR = 0.3;
/**
 * Prior of the query-name feature, worth QNAME_PRIOR_W queries: an ordinary name (~20 characters of
 * ~3.5 bits). A VM makes few queries (a database VM two a minute): without it, its profile has no
 * spread yet and learns a tunnel's first dozen names.
 */
const QNAME_PRIOR_MEAN = 2.7;
const QNAME_PRIOR_SD = 0.5;
const QNAME_PRIOR_W = 20;
/** Weight of the newest query in the VM's query-name level (what its answers are judged by). */
const QNAME_ALPHA = 0.5;

/** Whether the VM opens a flow with this packet: a TCP SYN, a UDP datagram to a service port. */
function opensFlow(p: PacketRecord['packet']): boolean {
  if (p.direction !== 'EGRESS') return false;
  if (p.protocol === 6) return (p.tcpFlags & 0x12) === 0x02;
  return p.protocol === 17 && isOutbound(p);
}

/** |x - mean| / max(std, floor), clipped; 0 when the packet or the profile lacks the feature. */
function zOf(ref: Profile, f: number, obs: Float64Array, floor: number, clip: number): number {
  const x = obs[f];
  if (x !== x || weightOf(ref, f) <= 0) return 0;
  const z = Math.abs(x - meanOf(ref, f)) / Math.max(stdOf(ref, f), floor);
  return z < clip ? z : clip;
}

/** One-sided z: only values below the mean count. */
function zDown(ref: Profile, f: number, obs: Float64Array, floor: number, clip: number): number {
  const x = obs[f];
  if (x !== x || weightOf(ref, f) <= 0) return 0;
  const d = meanOf(ref, f) - x;
  if (d <= 0) return 0;
  const z = d / Math.max(stdOf(ref, f), floor);
  return z < clip ? z : clip;
}

/** One-sided z: only values above the mean count. */
function zUp(ref: Profile, f: number, obs: Float64Array, floor: number, clip: number): number {
  const x = obs[f];
  if (x !== x || weightOf(ref, f) <= 0) return 0;
  const d = x - meanOf(ref, f);
  if (d <= 0) return 0;
  const z = d / Math.max(stdOf(ref, f), floor);
  return z < clip ? z : clip;
}

/** zUp against the profile's moments pooled with a prior (mean m0, std s0) worth w0 samples. */
function zUpPrior(ref: Profile, f: number, obs: Float64Array, floor: number, clip: number, m0: number, s0: number, w0: number): number {
  const x = obs[f];
  if (x !== x) return 0;
  const w = weightOf(ref, f);
  const m = meanOf(ref, f);
  const W = w + w0;
  const mean = (w * m + w0 * m0) / W;
  // Pooled variance: each part's own spread plus its distance from the pooled mean.
  const sd = stdOf(ref, f);
  const v = (w * (sd * sd + (m - mean) * (m - mean)) + w0 * (s0 * s0 + (m0 - mean) * (m0 - mean))) / W;
  const d = x - mean;
  if (d <= 0) return 0;
  const z = d / Math.max(Math.sqrt(v), floor);
  return z < clip ? z : clip;
}

/**
 * Fills in what a VM state checkpointed before young peers, per-class entropy and far-off tracking lacks:
 * its peers so far count as its own (not young), its established time is now if it has the packets.
 */
function upgradeVmState(st: BaselineVmState, ts: number, minHistory: number): void {
  upgradeProfile(st.profile);
  for (const set of [st.peers, st.ports]) if (set.born === undefined) set.born = new Array<number>(set.cap).fill(-1);
  st.firstUs = st.profile.lastUs >= 0 ? st.profile.lastUs : ts;
  st.matureAtUs = st.profile.n >= minHistory ? ts : -1;
  st.youngBytes = 0;
  st.egressBytes = 0;
  st.youngAtUs = -1;
  st.recentFar = 0;
  st.pending = newProfileUpdate();
  st.pendingFirstUs = -1;
}

/** A pending scope update checkpointed with fewer features gets the missing sums, empty. */
function upgradePending(u: ProfileUpdate): void {
  while (u.sums.length < FEATURE_COUNT * 3) u.sums.push(0);
  if (u.outPorts === undefined) u.outPorts = newProfileUpdate().outPorts;
}

/** A profile checkpointed with fewer features or no per-class entropy gets the missing ones, empty. */
function upgradeProfile(p: Profile): void {
  while (p.mom.length < FEATURE_COUNT * 3) p.mom.push(0);
  if (p.entClass === undefined) p.entClass = newProfile().entClass;
  // Checkpointed before the client-side port classes: they start empty, so no flow is surprising
  // until the VM's own have been counted (outPortSurprise weighs by how many there are).
  if (p.outPorts === undefined) p.outPorts = newProfile().outPorts;
}

class BaselineOperator implements Operator<PacketRecord, PacketRecord> {
  private vmState!: ValueState<BaselineVmState>;
  private accountState!: ValueState<ScopeProfileState>;
  private vnetState!: ValueState<ScopeProfileState>;
  private table!: BroadcastTable<ScopeProfileView>;
  private accountChannel: RepartitionChannel<ProfileUpdate> | null = null;
  private vnetChannel: RepartitionChannel<ProfileUpdate> | null = null;
  private readonly recentAlpha: number;
  private readonly useAccount: boolean;
  private readonly useVnet: boolean;
  /** Scratch row of the packet's feature values (reused; holds no per-key data between calls). */
  private readonly obs = new Float64Array(FEATURE_COUNT);
  /** Scratch of the DNS query-name parse (reused). */
  private readonly qn: DnsQueryName = { nameLength: 0, longestLabel: 0, visibleChars: 0, entropy: 0, complete: false, offset: 0 };

  constructor(private readonly cfg: BaselineConfig) {
    this.recentAlpha = 1 - Math.pow(2, -1 / cfg.fanoutPackets);
    this.useAccount = cfg.scopes.includes('account');
    this.useVnet = cfg.scopes.includes('vnet');
  }

  open(ctx: OperatorContext): void {
    const ttlMs = this.cfg.ttl / 1000;
    this.vmState = ctx.state.value<BaselineVmState>('baseline', { ttlMs });
    this.accountState = ctx.state.value<ScopeProfileState>('baseline-account', { ttlMs });
    this.vnetState = ctx.state.value<ScopeProfileState>('baseline-vnet', { ttlMs });
    this.table = ctx.broadcast<ScopeProfileView>(BASELINE_PROFILES_TABLE);
    if (this.useAccount) this.accountChannel = ctx.repartition<ProfileUpdate>(ACCOUNT_STREAM);
    if (this.useVnet) this.vnetChannel = ctx.repartition<ProfileUpdate>(VNET_STREAM);
  }

  process(record: PacketRecord, ctx: OperatorContext, out: Collector<PacketRecord>): void {
    const cfg = this.cfg;
    const p = record.packet;
    const ts = p.tsUs;
    let st = this.vmState.get();
    if (st === undefined) st = this.newVmState(p.accountId, p.vnetId);
    else if (st.recentFar === undefined) upgradeVmState(st, ts, this.cfg.minHistory);
    if (st.peerOpens === undefined) {
      // Checkpointed before per-peer connection counts: they start at zero.
      upgradeProfile(st.profile);
      st.peerOpens = new Array<number>(st.peers.cap).fill(0);
      st.peerOpensAt = new Array<number>(st.peers.cap).fill(ts);
    }
    if (st.peerActivity === undefined) {
      // Checkpointed before the per-peer activity and the query-name term: they start empty.
      upgradeProfile(st.profile);
      upgradePending(st.pending);
      st.peerActivity = newPeerActivity(st.peers.cap);
      st.qnameLevel = NaN;
    }
    if (st.profile.outPorts === undefined) {
      // Checkpointed before the client-side port classes: they start empty.
      upgradeProfile(st.profile);
      upgradePending(st.pending);
    }
    const own = st.profile;
    decayProfile(own, ts, cfg.halfLife);

    // Established: enough packets, or (a quiet VM) enough time with a few packets.
    if (st.firstUs < 0) st.firstUs = ts;
    if (st.matureAtUs < 0 && (own.n >= cfg.minHistory || (own.n >= cfg.minHistoryQuiet && ts - st.firstUs >= cfg.minHistoryAge))) {
      st.matureAtUs = ts;
    }
    const isNew = st.matureAtUs < 0;

    // Novelty is what the VM's own sets say before this packet; touching them records it as seen. Only
    // a first contact the VM makes (outbound) counts: new clients reaching a server are normal.
    const outbound = isOutbound(p);
    // Peers it first contacts once past its first minHistoryAge are young for peerYouth; the earlier
    // ones are the VM's own (met while its profile was forming).
    // A peer its account or vnet already reaches (a storage endpoint, an NTP server) is not young.
    const peerHash = hash32(peerOf(p));
    const ps = hashSetTouchSlot(st.peers, peerHash, ts, outbound && ts - st.firstUs >= cfg.minHistoryAge ? ts : -1);
    const newPeer = ps < 0 && outbound ? 1 : 0;
    if (newPeer === 1) {
      if (st.peers.born[-ps - 1] >= 0 && this.knownToScope(st.accountId, st.vnetId, peerHash)) st.peers.born[-ps - 1] = -1;
      if (st.pending.peers.length < UPDATE_PEERS) st.pending.peers.push(peerHash);
    }
    const ported = hasPorts(p);
    const newPort = ported && hashSetTouchSlot(st.ports, hashInt(servicePort(p)), ts, -1) < 0 && outbound ? 1 : 0;
    const novel = newPeer + newPort > 0 ? 1 : 0;
    st.recentNovel += this.recentAlpha * (novel - st.recentNovel);
    // What the VM sends to young peers: a new peer that receives bulk data (exfiltration) or is
    // called back again and again (a beacon) is what a first contact alone does not say.
    const born = st.peers.born[ps < 0 ? -ps - 1 : ps];
    // Decayed in steps of at least 1/64 of the time constant (a pow per packet of a busy VM is wasted).
    if (ts - st.youngAtUs >= YOUNG_TAU_US / 64) {
      if (st.egressBytes > 0) {
        const f = Math.exp((st.youngAtUs - ts) / YOUNG_TAU_US);
        st.youngBytes *= f;
        st.egressBytes *= f;
      }
      st.youngAtUs = ts;
    }
    if (p.direction === 'EGRESS') st.egressBytes += p.size;
    const young = born >= 0 && ts - born < cfg.peerYouth;
    // Connections opened to this peer lately (a slot reused for a new peer starts at zero).
    const slot = ps < 0 ? -ps - 1 : ps;
    let opens = ps < 0 ? 0 : st.peerOpens[slot];
    const since = ts - st.peerOpensAt[slot];
    if (ps < 0 || since > 0) st.peerOpensAt[slot] = ts;
    if (ps >= 0 && since > 0 && opens > 0) opens *= Math.exp(-since / OPENS_TAU_US);
    const opened = opensFlow(p);
    if (opened) opens += 1;
    st.peerOpens[slot] = opens;
    // Per-(VM, peer) activity of the flows the VM opened: bulk-upload seconds and connection rhythm.
    const act = st.peerActivity;
    if (ps < 0) resetPeerSlot(act, slot, ts);
    const outFlow = outbound || isOutboundFlow(p);
    let busy = NaN, beat = NaN;
    if (outFlow) {
      busy = addPeerBytes(act, slot, ts, p.direction === 'EGRESS' ? p.size : 0);
      if (opened && p.protocol === 6) addPeerOpen(act, slot, ts);
      beat = peerBeat(act, slot, ts);
    }
    // DNS query names (a tunnel through the VM's own resolver): its queries' names, and on the answers
    // the VM's recent level (an answer echoes the question, but parseDnsQueryName reads queries only).
    let qname = NaN;
    if (outFlow && p.protocol === 17 && ported && servicePort(p) === 53) {
      const pl = p.payload;
      if (outbound && pl !== undefined && pl !== null && parseDnsQueryName(pl, p.payloadLength, false, this.qn)) {
        qname = Math.log1p(this.qn.nameLength) * (this.qn.entropy / 4);
        st.qnameLevel = st.qnameLevel === st.qnameLevel ? st.qnameLevel + QNAME_ALPHA * (qname - st.qnameLevel) : qname;
      } else if (!outbound) {
        qname = st.qnameLevel;
      }
    }
    if (young && p.direction === 'EGRESS') st.youngBytes += p.size;

    // Pick the profile to compare against.
    let ref: Profile | null = null;
    let snapshot: BaselineSnapshot;
    let scope: string;
    const view = isNew ? this.scopeView(p.accountId, p.vnetId) : undefined;
    if (view !== undefined) {
      ref = view.profile;
      snapshot = view.snapshot;
      scope = view.snapshot.scope;
    } else if (own.n > 0) {
      ref = own;
      if (st.snapshot === null || own.n - st.snapshotAt >= cfg.snapshotEvery) {
        st.snapshot = snapshotOf(own, 'vm', ctx.currentKey, st.peers.size, st.ports.size);
        st.snapshotAt = own.n;
      }
      snapshot = st.snapshot;
      scope = 'vm';
    } else {
      snapshot = snapshotOf(own, 'none', ctx.currentKey, 0, 0);
      scope = 'none';
    }

    const iat = record.iatUs;
    const hasPayload = p.payload !== undefined && p.payload !== null && p.payload.length > 0;
    const proto = protocolIndex(p.protocol);
    const portClass = portClassIndex(ported ? servicePort(p) : -1);
    const obs = this.obs;
    obs[F.SIZE] = p.size;
    obs[F.LOG_SIZE] = Math.log1p(p.size);
    obs[F.IAT] = iat > 0 ? iat : NaN;
    obs[F.LOG_IAT] = iat > 0 ? Math.log1p(iat) : NaN;
    obs[F.ENTROPY] = hasPayload ? record.entropy : NaN;
    const win = record.window;
    obs[F.RATE] = win !== undefined ? Math.log1p(win.rate) : NaN;
    // The outbound features are measured (and learnt) on the packets of flows the VM opened, the ones
    // they are judged on.
    const hasOut = win !== undefined && outFlow;
    obs[F.SYN] = hasOut ? win.egressSynRatio ?? win.synRatio : NaN;
    obs[F.PORTS] = hasOut ? Math.log1p(win.outboundPorts ?? win.distinctPorts) : NaN;
    obs[F.PEERS] = hasOut ? Math.log1p(win.outboundPeers ?? win.distinctPeers) : NaN;
    // Share of what the VM sent lately that went to young peers: scale-free (a web server's API call
    // is a sliver of its traffic, an upload to a host met seconds ago is all of it).
    obs[F.YOUNG] = st.youngBytes / (st.egressBytes + YOUNG_PRIOR_BYTES);
    obs[F.OPENS] = outFlow ? Math.log1p(opens) : NaN;
    obs[F.BUSY] = busy;
    obs[F.BEAT] = beat;
    obs[F.QNAME] = qname;

    let sizeZ = 0, iatZ = 0, entropyZ = 0, protocolSurprise = 0, portSurprise = 0, fanout = 1, noveltyTerm = 0;
    let rateZ = 0, synZ = 0, portsZ = 0, peersZ = 0, youngZ = 0, opensZ = 0, busyZ = 0, beatZ = 0, qnameZ = 0, outPortBits = 0;
    const outClass = outFlow && ported ? portClass : -1;
    let expectedSize = NaN, expectedIatUs = NaN, expectedEntropy = NaN;
    let total = 0;
    let classEntropy = NaN;
    if (ref !== null) {
      const clip = cfg.zClip;
      const meanSize = meanOf(ref, F.SIZE);
      sizeZ = zOf(ref, F.SIZE, obs, sizeStdFloor(meanSize), clip);
      // Inter-arrival is heavy-tailed (bursts of µs, pauses of seconds): its z-score is taken in log space.
      // Only faster than usual alarms: a pause (a VM between its periodic jobs) is not an attack.
      iatZ = zDown(ref, F.LOG_IAT, obs, LOG_STD_FLOOR, clip);
      // Entropy against the packet's own port class once the profile has enough of it (TLS is not DNS).
      const ec = ref.entClass;
      const ci = 3 * portClass;
      if (ec[ci] >= ENTROPY_CLASS_MIN_WEIGHT) {
        const x = obs[F.ENTROPY];
        classEntropy = ec[ci + 1];
        if (x === x) {
          const sd = Math.sqrt(Math.max(0, ec[ci + 2] / ec[ci]));
          entropyZ = Math.min(clip, Math.abs(x - classEntropy) / Math.max(sd, ENTROPY_STD_FLOOR));
        }
      } else {
        entropyZ = zOf(ref, F.ENTROPY, obs, ENTROPY_STD_FLOOR, clip);
      }
      // Volume and spread only alarm upwards: a VM going quiet is not an attack.
      // The SYN share and the outbound spread indict the packets of the flows the VM opened, the young-peer
      // volume those exchanged with young peers: a server's clients are not part of its scan.
      rateZ = zUp(ref, F.RATE, obs, LOG_STD_FLOOR, clip);
      if (outFlow) {
        synZ = zUp(ref, F.SYN, obs, SHARE_STD_FLOOR, clip);
        portsZ = zUp(ref, F.PORTS, obs, LOG_STD_FLOOR, clip);
        peersZ = zUp(ref, F.PEERS, obs, LOG_STD_FLOOR, clip);
      }
      if (young) youngZ = zUp(ref, F.YOUNG, obs, SHARE_STD_FLOOR, clip);
      // Every packet of the flows the VM opens to a peer it keeps opening connections to, more than it
      // usually does to the peers it reaches out to: the probes and their answers, a flood's requests.
      if (outFlow) {
        opensZ = zUp(ref, F.OPENS, obs, LOG_STD_FLOOR, clip);
        // Sustained upload to this peer, regular connections to it, and random-looking long query
        // names: what the VM does with a peer it already uses, against what it usually does.
        busyZ = zUp(ref, F.BUSY, obs, BUSY_STD_FLOOR, clip);
        beatZ = zUp(ref, F.BEAT, obs, LOG_STD_FLOOR, clip);
        qnameZ = zUpPrior(ref, F.QNAME, obs, QNAME_STD_FLOOR, clip, QNAME_PRIOR_MEAN, QNAME_PRIOR_SD, QNAME_PRIOR_W);
      }
      // Laplace-smoothed probabilities, as bits of surprise.
      protocolSurprise = Math.min(SURPRISE_CLIP, -Math.log2((ref.proto[proto] + 0.5) / (ref.w + 0.5 * ref.proto.length)));
      portSurprise = Math.min(SURPRISE_CLIP, -Math.log2((ref.ports[portClass] + 0.5) / (ref.w + 0.5 * ref.ports.length)));
      if (outClass >= 0 && ref === own && ts - st.firstUs >= cfg.clientClassAfter) outPortBits = outPortSurprise(ref, outClass, SURPRISE_CLIP);
      const normalShare = noveltyShare(ref);
      fanout = st.recentNovel / Math.max(normalShare, NOVELTY_SHARE_FLOOR);
      // A first contact is worth less where first contacts are normal; a new VM's are damped further.
      const ramp = isNew ? own.n / Math.max(1, cfg.minHistory) : 1;
      noveltyTerm = ramp * ((newPeer + newPort) * (1 - normalShare) + Math.log2(Math.max(1, fanout)));
      total =
        (sizeZ + entropyZ + 0.5 * iatZ) / 2.5 +
        // The port class nearly determines the protocol: their surprises are one rarity, not two.
        0.5 * Math.max(protocolSurprise, portSurprise) +
        (rateZ + synZ + portsZ + peersZ + youngZ + opensZ) +
        // The known-peer terms count double past a dead zone: each is specific (one peer, one behaviour)
        // and alone must lift an exfiltration, a beacon or a tunnel past the VM's own busy moments, while
        // their everyday noise (a backup's upload seconds, a DNS server's forwarded names) adds nothing.
        KNOWN_PEER_WEIGHT * (excess(busyZ) + excess(beatZ) + excess(qnameZ)) +
        // A client of a service class the VM never calls (judged on its own profile, once it has been
        // watched for clientClassAfter): every packet of the flow, both ways, while the class stays rare.
        OUT_PORT_WEIGHT * Math.max(0, outPortBits - OUT_PORT_DEAD_BITS) +
        noveltyTerm;
      // A new VM judged by its own few packets: z-scores of a handful of samples mean little yet.
      if (isNew && ref === own) total *= ramp;
      if (weightOf(ref, F.LOG_SIZE) > 0) expectedSize = Math.expm1(meanOf(ref, F.LOG_SIZE));
      if (weightOf(ref, F.LOG_IAT) > 0) expectedIatUs = Math.expm1(meanOf(ref, F.LOG_IAT));
      if (classEntropy === classEntropy) expectedEntropy = classEntropy;
      else if (weightOf(ref, F.ENTROPY) > 0) expectedEntropy = meanOf(ref, F.ENTROPY);
    }
    const deviation: BaselineDeviation = {
      sizeZ, iatZ, entropyZ, protocolSurprise, portSurprise, newPeer, newPort, fanout, total,
      rateZ, synZ, portsZ, peersZ, youngZ, opensZ, busyZ, beatZ, qnameZ, outPortSurprise: outPortBits, expectedSize, expectedIatUs, expectedEntropy,
      scope, vmPackets: own.n, mature: !isNew, learnWeight: 1, snapshot,
    };
    record.baseline = deviation;

    // Robust learning. A packet far from the profile is learnt per unit of time (weight ~ iat / the
    // mean iat), so a burst cannot outvote the quiet seconds around it; while far-off packets are
    // sustained (a flood, a scan) also by 1 / deviation^2, so an attack does not become the VM's
    // "normal" in seconds, while a one-off (a VM's rare periodic job) is learnt and becomes known.
    // Volumetric features of a far-off packet are learnt at most once per FAR_LEARN_US of event time:
    // a lasting change is learnt as the old profile decays.
    const volMax = Math.max(rateZ, synZ, portsZ, peersZ, youngZ, opensZ, busyZ, beatZ, qnameZ);
    const dev = Math.max(total / cfg.learnLimit, volMax / VOLUME_LEARN_Z);
    const far = dev > 1 ? 1 : 0;
    st.recentFar += FAR_ALPHA * (far - st.recentFar);
    const usualIat = weightOf(own, F.IAT) > 0 ? meanOf(own, F.IAT) : 0;
    const share = usualIat > 0 && iat > 0 ? Math.min(1, iat / usualIat) : 1;
    let learn = 1;
    let learnVolume = share;
    if (far === 1) {
      const d2 = 1 / (dev * dev);
      const trust = st.recentFar > FAR_SUSTAINED ? d2 : 1;
      learn = share * trust;
      deviation.learnWeight = trust;
      learnVolume = iat > 0 ? Math.min(1, iat / FAR_LEARN_US) * d2 : 0;
    }
    addPacket(own, obs, learn, learnVolume, proto, portClass, newPeer, newPort, outClass);
    if (this.accountChannel !== null || this.vnetChannel !== null) {
      const u = st.pending;
      if (u.n === 0) st.pendingFirstUs = ts;
      addToUpdate(u, ts, obs, learn, learnVolume, proto, portClass, newPeer, newPort, outClass);
      if (u.n >= cfg.aggregateEvery || ts - st.pendingFirstUs >= cfg.publishEvery) this.flushPending(st);
    }
    this.vmState.set(st);
    out.collect(record);
  }

  onRepartitioned(name: string, value: unknown, ctx: OperatorContext): void {
    const scope = name === ACCOUNT_STREAM ? 'account' : name === VNET_STREAM ? 'vnet' : null;
    if (scope === null) return;
    const handle = scope === 'account' ? this.accountState : this.vnetState;
    const u = value as ProfileUpdate;
    let st = handle.get();
    if (st === undefined) st = { profile: newProfile(), publishedUs: -1, peers: newBoundedHashSet(this.cfg.scopePeerCapacity) };
    else if (st.peers === undefined) {
      st.peers = newBoundedHashSet(this.cfg.scopePeerCapacity);
      upgradeProfile(st.profile);
    } else if (st.profile.mom.length < FEATURE_COUNT * 3 || st.profile.outPorts === undefined) upgradeProfile(st.profile);
    mergeUpdate(st.profile, u, this.cfg.halfLife);
    for (let i = 0; i < u.peers.length; i++) hashSetTouchSlot(st.peers, u.peers[i], u.lastUs, -1);
    const now = st.profile.lastUs;
    if (st.publishedUs < 0 || now - st.publishedUs >= this.cfg.publishEvery) {
      const key = ctx.currentKey;
      const profile = cloneProfile(st.profile);
      const snapshot = snapshotOf(profile, scope, key, profile.newPeers, profile.newPorts);
      this.table.put(`${scope}:${key}`, { profile, snapshot, peers: cloneHashSet(st.peers) });
      st.publishedUs = now;
    }
    handle.set(st);
  }

  /** Whether the VM's account or vnet (as last published) has reached out to this peer. */
  private knownToScope(accountId: string, vnetId: string, peerHash: number): boolean {
    if (this.useAccount) {
      const v = this.table.get(`account:${accountId}`);
      if (v !== undefined && v.peers !== undefined && hashSetFind(v.peers, peerHash) >= 0) return true;
    }
    if (this.useVnet) {
      const v = this.table.get(`vnet:${vnetId}`);
      if (v !== undefined && v.peers !== undefined && hashSetFind(v.peers, peerHash) >= 0) return true;
    }
    return false;
  }

  /** The account's (else the vnet's) published profile, when it has enough history to stand in. */
  private scopeView(accountId: string, vnetId: string): ScopeProfileView | undefined {
    if (this.useAccount) {
      const v = this.table.get(`account:${accountId}`);
      if (v !== undefined && v.profile.n >= this.cfg.minHistory) return v;
    }
    if (this.useVnet) {
      const v = this.table.get(`vnet:${vnetId}`);
      if (v !== undefined && v.profile.n >= this.cfg.minHistory) return v;
    }
    return undefined;
  }

  private flushPending(st: BaselineVmState): void {
    // One object per batch of packets (not per packet); receivers treat it as read-only.
    const u = st.pending;
    const msg: ProfileUpdate = {
      ...u, sums: u.sums.slice(), proto: u.proto.slice(), ports: u.ports.slice(), outPorts: u.outPorts?.slice(), entClass: u.entClass.slice(),
      peers: u.peers.length > 0 ? u.peers.slice() : NO_PEERS,
    };
    if (this.accountChannel !== null) this.accountChannel.send(st.accountId, msg);
    if (this.vnetChannel !== null) this.vnetChannel.send(st.vnetId, msg);
    resetProfileUpdate(u);
  }

  private newVmState(accountId: string, vnetId: string): BaselineVmState {
    const peers = newBoundedHashSet(this.cfg.peerCapacity);
    return {
      accountId,
      vnetId,
      profile: newProfile(),
      peers,
      ports: newBoundedHashSet(this.cfg.portCapacity),
      recentNovel: 0,
      firstUs: -1,
      matureAtUs: -1,
      youngBytes: 0,
      egressBytes: 0,
      youngAtUs: -1,
      recentFar: 0,
      peerOpens: new Array<number>(peers.cap).fill(0),
      peerOpensAt: new Array<number>(peers.cap).fill(0),
      peerActivity: newPeerActivity(peers.cap),
      qnameLevel: NaN,
      pending: newProfileUpdate(),
      pendingFirstUs: -1,
      snapshot: null,
      snapshotAt: 0,
    };
  }
}

export const baselineOperator: OperatorDefinition<BaselineConfig, PacketRecord, PacketRecord> = {
  name: 'baseline',
  description:
    'Decayed per-VM (and per-account / per-vnet) profile of sizes, inter-arrival, entropy, protocol and ' +
    'port-class mix, peers and ports; fills record.baseline with z-scores, surprises, first contacts and ' +
    'fan-out against the VM\'s profile, or its account\'s (vnet\'s) while the VM is new.',
  configSchema: baselineConfigSchema,
  create: (config) => new BaselineOperator(config),
};
