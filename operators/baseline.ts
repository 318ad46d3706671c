/**
 * baseline: the decayed running profile of each VM (and of its account and vnet), and how far each
 * packet is from it.
 *
 * Fills `record.baseline` (BaselineDeviation). The packet is scored against the profile BEFORE it is
 * added. A VM with fewer than `minHistory` packets is scored against its account's profile (else its
 * vnet's, read from the broadcast table `baseline-profiles`), and its novelty signals are damped while
 * it is new, so a freshly deployed VM does not raise a storm of "new peer" alarms.
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
import { hashInt, hasPorts, hash32, peerOf, portClassIndex, protocolIndex, servicePort } from './internal/packet-features';
import { hashSetTouch, newBoundedHashSet, type BoundedHashSet } from './internal/bounded-hash-set';
import {
  addPacket, addToUpdate, cloneProfile, decayProfile, mergeUpdate, newProfile, newProfileUpdate, noveltyShare,
  meanOf, resetProfileUpdate, snapshotOf, stdOf, weightOf, F, FEATURE_COUNT, type Profile, type ProfileUpdate,
} from './internal/profile';

const SCOPES = ['vm', 'account', 'vnet'] as const;

export const baselineConfigSchema = z
  .object({
    /** Half-life of the profiles' exponential decay, in event time. */
    halfLife: positiveDurationUs.default('10m'),
    /** Profiles kept: the VM's own always; account and vnet profiles when listed. */
    scopes: z.array(z.enum(SCOPES)).nonempty().default(['vm', 'account', 'vnet']),
    /** Packets a VM needs before it is scored against its own profile. */
    minHistory: z.number().int().nonnegative().default(200),
    /** State of a VM (or scope) silent for this long is dropped (processing time). */
    ttl: positiveDurationUs.default('1h'),
    /** A scope profile is published to the broadcast table at most this often (event time). */
    publishEvery: positiveDurationUs.default('1s'),
    /** A VM sends its scope update after this many packets (or publishEvery of event time). */
    aggregateEvery: z.number().int().positive().default(32),
    /** Capacity of the per-VM sets of peers and destination ports (bounded; oldest evicted). */
    peerCapacity: z.number().int().min(16).max(65536).default(512),
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
}

export const BASELINE_PROFILES_TABLE = 'baseline-profiles';
const ACCOUNT_STREAM = 'baseline-account';
const VNET_STREAM = 'baseline-vnet';

/** Floors of the standard deviations, so a perfectly regular VM does not turn 1 byte into 100 sigmas. */
function sizeStdFloor(mean: number): number { return 8 + 0.05 * mean; }
/** Std floor of log-space features: a factor of ~1.3. */
const LOG_STD_FLOOR = 0.25;
const SHARE_STD_FLOOR = 0.05;
const ENTROPY_STD_FLOOR = 0.1;
const SURPRISE_CLIP = 10;
const NOVELTY_SHARE_FLOOR = 0.02;
/** A volumetric z above this slows learning. */
const VOLUME_LEARN_Z = 3;

/** |x - mean| / max(std, floor), clipped; 0 when the packet or the profile lacks the feature. */
function zOf(ref: Profile, f: number, obs: Float64Array, floor: number, clip: number): number {
  const x = obs[f];
  if (x !== x || weightOf(ref, f) <= 0) return 0;
  const z = Math.abs(x - meanOf(ref, f)) / Math.max(stdOf(ref, f), floor);
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
    const own = st.profile;
    decayProfile(own, ts, cfg.halfLife);

    // Novelty is what the VM's own sets say before this packet; touching them records it as seen.
    const newPeer = hashSetTouch(st.peers, hash32(peerOf(p)), ts) ? 1 : 0;
    const ported = hasPorts(p);
    const newPort = ported && hashSetTouch(st.ports, hashInt(servicePort(p)), ts) ? 1 : 0;
    const novel = newPeer + newPort > 0 ? 1 : 0;
    st.recentNovel += this.recentAlpha * (novel - st.recentNovel);

    // Pick the profile to compare against.
    let ref: Profile | null = null;
    let snapshot: BaselineSnapshot;
    let scope: string;
    const isNew = own.n < cfg.minHistory;
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
    obs[F.SYN] = win !== undefined ? win.synRatio : NaN;
    obs[F.PORTS] = win !== undefined ? Math.log1p(win.distinctPorts) : NaN;
    obs[F.PEERS] = win !== undefined ? Math.log1p(win.distinctPeers) : NaN;

    let sizeZ = 0, iatZ = 0, entropyZ = 0, protocolSurprise = 0, portSurprise = 0, fanout = 1, noveltyTerm = 0;
    let rateZ = 0, synZ = 0, portsZ = 0, peersZ = 0;
    let expectedSize = NaN, expectedIatUs = NaN, expectedEntropy = NaN;
    let total = 0;
    if (ref !== null) {
      const clip = cfg.zClip;
      const meanSize = meanOf(ref, F.SIZE);
      sizeZ = zOf(ref, F.SIZE, obs, sizeStdFloor(meanSize), clip);
      // Inter-arrival is heavy-tailed (bursts of µs, pauses of seconds): its z-score is taken in log space.
      iatZ = zOf(ref, F.LOG_IAT, obs, LOG_STD_FLOOR, clip);
      entropyZ = zOf(ref, F.ENTROPY, obs, ENTROPY_STD_FLOOR, clip);
      // Volume and spread only alarm upwards: a VM going quiet is not an attack.
      rateZ = zUp(ref, F.RATE, obs, LOG_STD_FLOOR, clip);
      synZ = zUp(ref, F.SYN, obs, SHARE_STD_FLOOR, clip);
      portsZ = zUp(ref, F.PORTS, obs, LOG_STD_FLOOR, clip);
      peersZ = zUp(ref, F.PEERS, obs, LOG_STD_FLOOR, clip);
      // Laplace-smoothed probabilities, as bits of surprise.
      protocolSurprise = Math.min(SURPRISE_CLIP, -Math.log2((ref.proto[proto] + 0.5) / (ref.w + 0.5 * ref.proto.length)));
      portSurprise = Math.min(SURPRISE_CLIP, -Math.log2((ref.ports[portClass] + 0.5) / (ref.w + 0.5 * ref.ports.length)));
      const normalShare = noveltyShare(ref);
      fanout = st.recentNovel / Math.max(normalShare, NOVELTY_SHARE_FLOOR);
      // A first contact is worth less where first contacts are normal; a new VM's are damped further.
      const ramp = isNew ? own.n / Math.max(1, cfg.minHistory) : 1;
      noveltyTerm = ramp * ((newPeer + newPort) * (1 - normalShare) + Math.log2(Math.max(1, fanout)));
      total =
        (sizeZ + entropyZ + 0.5 * iatZ) / 2.5 +
        0.25 * (protocolSurprise + portSurprise) +
        (rateZ + synZ + portsZ + peersZ) +
        noveltyTerm;
      // A new VM judged by its own few packets: z-scores of a handful of samples mean little yet.
      if (isNew && ref === own) total *= ramp;
      if (weightOf(ref, F.LOG_SIZE) > 0) expectedSize = Math.expm1(meanOf(ref, F.LOG_SIZE));
      if (weightOf(ref, F.LOG_IAT) > 0) expectedIatUs = Math.expm1(meanOf(ref, F.LOG_IAT));
      if (weightOf(ref, F.ENTROPY) > 0) expectedEntropy = meanOf(ref, F.ENTROPY);
    }
    const deviation: BaselineDeviation = {
      sizeZ, iatZ, entropyZ, protocolSurprise, portSurprise, newPeer, newPort, fanout, total,
      rateZ, synZ, portsZ, peersZ, expectedSize, expectedIatUs, expectedEntropy,
      scope, vmPackets: own.n, snapshot,
    };
    record.baseline = deviation;

    // Robust learning: a packet far from the profile is learnt with little weight, so a flood or a scan
    // does not become the VM's "normal" within a few hundred packets; a lasting change still wins as
    // the old profile decays. Volumetric features are learnt per unit of time (weight ~ iat / the
    // mean iat), so that a burst of packets does not outvote the quiet seconds around it.
    const volMax = Math.max(rateZ, synZ, portsZ, peersZ);
    const dev = Math.max(total / cfg.learnLimit, volMax / VOLUME_LEARN_Z);
    const learn = dev <= 1 ? 1 : 1 / (dev * dev);
    const usualIat = weightOf(own, F.IAT) > 0 ? meanOf(own, F.IAT) : 0;
    const learnVolume = usualIat > 0 && iat > 0 ? learn * Math.min(1, iat / usualIat) : learn;
    addPacket(own, obs, learn, learnVolume, proto, portClass, newPeer, newPort);
    if (this.accountChannel !== null || this.vnetChannel !== null) {
      const u = st.pending;
      if (u.n === 0) st.pendingFirstUs = ts;
      addToUpdate(u, ts, obs, learn, learnVolume, proto, portClass, newPeer, newPort);
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
    if (st === undefined) st = { profile: newProfile(), publishedUs: -1 };
    mergeUpdate(st.profile, u, this.cfg.halfLife);
    const now = st.profile.lastUs;
    if (st.publishedUs < 0 || now - st.publishedUs >= this.cfg.publishEvery) {
      const key = ctx.currentKey;
      const profile = cloneProfile(st.profile);
      const snapshot = snapshotOf(profile, scope, key, profile.newPeers, profile.newPorts);
      this.table.put(`${scope}:${key}`, { profile, snapshot });
      st.publishedUs = now;
    }
    handle.set(st);
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
    const msg: ProfileUpdate = { ...u, proto: u.proto.slice(), ports: u.ports.slice() };
    if (this.accountChannel !== null) this.accountChannel.send(st.accountId, msg);
    if (this.vnetChannel !== null) this.vnetChannel.send(st.vnetId, msg);
    resetProfileUpdate(u);
  }

  private newVmState(accountId: string, vnetId: string): BaselineVmState {
    return {
      accountId,
      vnetId,
      profile: newProfile(),
      peers: newBoundedHashSet(this.cfg.peerCapacity),
      ports: newBoundedHashSet(this.cfg.portCapacity),
      recentNovel: 0,
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
