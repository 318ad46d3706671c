/**
 * score: one number per packet, compared with the VM's own calibrated threshold.
 *
 * score = sum of weighted terms: prediction error of size, TCP flags, entropy and inter-arrival (against
 * `record.predicted` when a model ran, else against the baseline's expectation: the profile's means and
 * the VM's majority flag bits) plus the baseline deviation `record.baseline.total`.
 * Threshold (see operators/README.md): until the VM is calibrated (`warmupPackets` scores, or a quiet VM's
 * `warmupQuiet` over `warmupAge`), the account's default threshold; after, max(minThreshold, quantile q of
 * the VM's scores * margin), from a log-bucket histogram in keyed state that keeps learning only from
 * non-anomalous scores (weighted by the baseline's trust, not from traffic with young peers). Evidence,
 * the VM's time-weighted mean score, has its own calibrated threshold: above it the VM is in a sustained
 * anomaly and the packets carrying the excess are anomalous without the margin.
 * Fills `record.score`; when anomalous builds `record.anomaly` and emits it to side output `anomalies`.
 */
import { z } from 'zod';
import type { Collector, Operator, OperatorContext, OperatorDefinition } from './contract';
import type { PacketRecord, ScoreResult } from './packet-record';
import type { Anomaly, BaselineSnapshot, PredictedPacket, ScoreBreakdown } from '../schemas/types';
import type { ValueState } from '../state/keyed-state';
import { positiveDurationUs } from './config/duration';
import { popcount32 } from './internal/approx-distinct';
import { logBucketOf, logHistogramQuantile, newLogHistogram } from './internal/log-histogram';

export const scoreConfigSchema = z
  .object({
    weights: z
      .object({
        size: z.number().nonnegative().default(1),
        flags: z.number().nonnegative().default(1),
        entropy: z.number().nonnegative().default(2),
        iat: z.number().nonnegative().default(0.5),
        baseline: z.number().nonnegative().default(1),
      })
      .strict()
      .default({}),
    /** Packets of a VM scored against the account default before its own threshold is set. */
    warmupPackets: z.number().int().positive().default(500),
    /** Quantile of the VM's normal scores that, times margin, is its threshold. */
    quantile: z.number().gt(0.5).max(1).default(0.999),
    margin: z.number().min(1).default(1.5),
    minThreshold: z.number().positive().default(1),
    /** Threshold during warm-up, per account (accountThresholds) or for all (defaultThreshold). */
    defaultThreshold: z.number().positive().default(30),
    accountThresholds: z.record(z.string(), z.number().positive()).default({}),
    /**
     * A quiet VM that never gathers warmupPackets is calibrated once it has warmupQuiet scores spanning
     * warmupAge of event time (the quantile of so few scores is about their maximum: conservative).
     */
    warmupQuiet: z.number().int().positive().default(8),
    warmupAge: positiveDurationUs.default('15s'),
    /**
     * Evidence: the VM's time-weighted mean score over about `evidenceWindow` of event time, with its own
     * threshold calibrated like the score's. While it is above that threshold the VM is in a sustained
     * anomaly: packets scoring above it are anomalous too, and nothing is learnt. A burst of a second
     * moves it a little, minutes of flood or upload all the way, whatever the packet rate.
     */
    evidenceWindow: positiveDurationUs.default('5s'),
    /** Scores count towards warm-up once the baseline has seen this many packets of the VM (its minHistory). */
    calibrateAfter: z.number().int().nonnegative().default(200),
    /** After warm-up the threshold is recomputed every this many normal scores. */
    recalibrateEvery: z.number().int().positive().default(256),
    /** The histogram's weight is halved when it exceeds this, so old traffic fades slowly. */
    maxHistogramMass: z.number().positive().default(20000),
    /** Half-life, in TCP packets, of the VM's flag-bit frequencies (the baseline's flag expectation). */
    flagHalfLifePackets: z.number().positive().default(64),
    ttl: positiveDurationUs.default('1h'),
  })
  .strict();

export type ScoreConfig = z.output<typeof scoreConfigSchema>;

export interface ScoreState {
  /** Packets scored (also the sequence number in anomaly ids). */
  n: number;
  hist: number[];
  total: number;
  /** Normal scores counted towards warm-up (those of packets the baseline judged with enough history). */
  calibrated: number;
  /** Calibrated threshold, 0 while warming up. */
  threshold: number;
  /** Event time of the first calibration score (-1 before). */
  calibratedFromUs: number;
  /** Evidence (time-weighted mean score), the histogram of its normal values and its calibrated threshold. */
  evidence: number;
  evHist: number[];
  evThreshold: number;
  sinceRecalc: number;
  /** Decayed frequency of each TCP flag bit. */
  flagMean: number[];
  anomalies: number;
}


class ScoreOperator implements Operator<PacketRecord, PacketRecord> {
  private state!: ValueState<ScoreState>;
  private readonly flagAlpha: number;
  /** A Map, not the config object: an accountId such as "constructor" must not reach Object.prototype. */
  private readonly accountThresholds: Map<string, number>;

  constructor(private readonly cfg: ScoreConfig) {
    this.flagAlpha = 1 - Math.pow(2, -1 / cfg.flagHalfLifePackets);
    this.accountThresholds = new Map(Object.entries(cfg.accountThresholds));
  }

  open(ctx: OperatorContext): void {
    this.state = ctx.state.value<ScoreState>('score', { ttlMs: this.cfg.ttl / 1000 });
  }

  process(record: PacketRecord, ctx: OperatorContext, out: Collector<PacketRecord>): void {
    const cfg = this.cfg;
    const w = cfg.weights;
    const p = record.packet;
    let st = this.state.get();
    if (st === undefined) {
      st = {
        n: 0, calibrated: 0, hist: newLogHistogram(), total: 0, threshold: 0, sinceRecalc: 0, flagMean: new Array<number>(8).fill(0), anomalies: 0,
        calibratedFromUs: -1, evidence: 0, evHist: newLogHistogram(), evThreshold: 0,
      };
    } else if (st.evHist === undefined) {
      // Checkpointed before the evidence existed: it starts empty, its threshold the score's until recalibrated.
      st.calibratedFromUs = -1;
      st.evidence = 0;
      st.evHist = newLogHistogram();
      st.evThreshold = st.threshold;
    }
    const isTcp = p.protocol === 6;
    const hasPayload = p.payload !== undefined && p.payload !== null && p.payload.length > 0;
    const pred = record.predicted;
    const bl = record.baseline;
    const snap = bl?.snapshot;

    // The expectation: the model's prediction, else the baseline's (no expectation, no error).
    let eSize = 0, eFlags = 0, eEntropy = 0, eIat = 0;
    let xSize = NaN, xIat = NaN, xEntropy = NaN, xFlags = 0;
    if (pred !== undefined) {
      eSize = Math.abs(Math.log1p(p.size) - Math.log1p(Math.max(0, pred.size)));
      eFlags = popcount32((p.tcpFlags ^ pred.tcpFlags) & 0xff) / 8;
      eEntropy = Math.abs(record.entropy - pred.entropy) / 8;
      eIat = record.iatUs > 0 ? Math.abs(Math.log1p(record.iatUs) - Math.log1p(Math.max(0, pred.iatUs))) : 0;
    } else if (bl !== undefined && snap !== undefined && snap.packets > 0) {
      xSize = finiteOr(bl.expectedSize, snap.meanSize);
      xIat = finiteOr(bl.expectedIatUs, snap.meanIatUs);
      xEntropy = finiteOr(bl.expectedEntropy, snap.meanEntropy);
      xFlags = isTcp ? expectedFlags(st.flagMean) : 0;
      eSize = Math.abs(Math.log1p(p.size) - Math.log1p(xSize));
      eFlags = isTcp && st.n > 0 ? popcount32((p.tcpFlags ^ xFlags) & 0xff) / 8 : 0;
      eEntropy = hasPayload ? Math.abs(record.entropy - xEntropy) / 8 : 0;
      // Only faster than expected counts: a pause between a VM's periodic jobs is not an anomaly.
      eIat = record.iatUs > 0 && xIat > 0 ? Math.max(0, Math.log1p(xIat) - Math.log1p(record.iatUs)) : 0;
    }
    const breakdown: ScoreBreakdown = {
      size: w.size * eSize,
      flags: w.flags * eFlags,
      entropy: w.entropy * eEntropy,
      iat: w.iat * eIat,
      baseline: w.baseline * (record.baseline !== undefined ? record.baseline.total : 0),
    };
    const score = breakdown.size + breakdown.flags + breakdown.entropy + breakdown.iat + breakdown.baseline;

    const warmingUp = st.threshold <= 0;
    const calibrated = warmingUp ? (this.accountThresholds.get(p.accountId) ?? cfg.defaultThreshold) : st.threshold;
    // Evidence starts once the baseline judges the VM by its own profile (its earlier scores are not its own).
    const mature = bl === undefined || (bl.mature ?? bl.vmPackets >= cfg.calibrateAfter);
    if (mature && record.iatUs > 0) {
      // 1 - e^-x, with its series where x is small (most packets of a busy VM): no exp per packet.
      const x = record.iatUs / cfg.evidenceWindow;
      st.evidence += (x < 0.01 ? x * (1 - 0.5 * x) : 1 - Math.exp(-x)) * (score - st.evidence);
    }
    // Sustained: the VM's recent scores, not one packet, are past what is normal for it (evidence above
    // its own calibrated threshold). Then the margin, which is there against one-off spikes, is dropped:
    // a packet past the VM's normal quantile (threshold / margin) and the evidence threshold is anomalous.
    // Traffic with peers the VM met after its profile formed (young) was never seen by calibration: while
    // sustained, it is anomalous past the evidence threshold alone. A VM calibrated on few scores (quiet)
    // knows too little of its own sustained peaks (a periodic upload first seen after them would be
    // "sustained" every time): there only the young traffic is judged by evidence.
    const fresh = bl !== undefined && (bl.youngZ ?? 0) > 0;
    // `threshold` is the one this packet is judged against (what the anomaly reports, so that mitigate's
    // ratio score / threshold is above 1 for every anomaly).
    const sustained = !warmingUp && (st.calibrated >= cfg.warmupPackets || fresh) && st.evidence > st.evThreshold;
    const threshold = sustained ? Math.min(calibrated, fresh ? st.evThreshold : Math.max(st.evThreshold, calibrated / cfg.margin)) : calibrated;
    const anomalous = score > threshold;
    const topFeature = topOf(breakdown);
    const result: ScoreResult = { score, threshold, anomalous, breakdown, topFeature, warmingUp };
    record.score = result;
    const seq = st.n;
    st.n++;

    // Learn only from normal scores, so an attack cannot raise its own threshold; and only once the
    // baseline judges the VM by its own history, or warm-up would calibrate on a profile still forming.
    let recalibrate = false;
    const lw = bl !== undefined && bl.learnWeight !== undefined ? bl.learnWeight : 1;
    // While warming up on a few scores, one far-off packet would be the quantile: only trusted ones count.
    // Calibration learns the VM's established behaviour: not its exchanges with peers it met after its
    // profile formed (young: with few scores one such packet would be the quantile, and an upload to a
    // host met seconds ago must not raise its own threshold).
    if (!anomalous && !sustained && mature && lw > 0 && !fresh) {
      st.hist[logBucketOf(score)] += lw;
      st.evHist[logBucketOf(st.evidence)] += lw;
      st.total += lw;
      if (warmingUp) {
        if (st.calibratedFromUs < 0) st.calibratedFromUs = p.tsUs;
        st.calibrated += lw;
        recalibrate = st.calibrated >= cfg.warmupPackets || (st.calibrated >= cfg.warmupQuiet && p.tsUs - st.calibratedFromUs >= cfg.warmupAge);
      } else {
        st.sinceRecalc += lw;
        recalibrate = st.sinceRecalc >= cfg.recalibrateEvery;
      }
      if (st.total > cfg.maxHistogramMass) halve(st);
    }
    if (recalibrate) {
      const q = cfg.quantile;
      st.threshold = Math.max(cfg.minThreshold, logHistogramQuantile(st.hist, st.total, q) * cfg.margin);
      st.evThreshold = Math.max(cfg.minThreshold, logHistogramQuantile(st.evHist, st.total, q) * cfg.margin);
      st.sinceRecalc = 0;
    }
    if (isTcp) {
      const a = Math.max(this.flagAlpha, 1 / st.n);
      for (let b = 0; b < 8; b++) st.flagMean[b] += a * (((p.tcpFlags >>> b) & 1) - st.flagMean[b]);
    }

    if (anomalous) {
      st.anomalies++;
      const vmId = ctx.currentKey;
      const predicted: PredictedPacket = pred !== undefined
        ? { size: pred.size, tcpFlags: pred.tcpFlags, entropy: pred.entropy, iatUs: pred.iatUs }
        : xSize === xSize
          ? { size: xSize, tcpFlags: xFlags, entropy: xEntropy, iatUs: xIat }
          : { size: p.size, tcpFlags: p.tcpFlags, entropy: record.entropy, iatUs: record.iatUs };
      const anomaly: Anomaly = {
        id: `${vmId}:${p.tsUs}:${seq}`,
        tsUs: p.tsUs,
        vmId,
        accountId: p.accountId,
        vnetId: p.vnetId,
        score,
        threshold,
        breakdown,
        topFeature,
        actual: p,
        predicted,
        baseline: snap ?? emptySnapshot(vmId),
        modelVersion: record.modelVersion ?? 'baseline-only',
      };
      record.anomaly = anomaly;
      ctx.outputs.emit('anomalies', vmId, anomaly);
    }
    this.state.set(st);
    out.collect(record);
  }
}

function finiteOr(x: number | undefined, fallback: number): number {
  return x !== undefined && Number.isFinite(x) ? x : fallback;
}

/** Flag bits set in more than half of the VM's recent TCP packets. */
function expectedFlags(mean: number[]): number {
  let f = 0;
  for (let b = 0; b < 8; b++) if (mean[b] > 0.5) f |= 1 << b;
  return f;
}

function topOf(b: ScoreBreakdown): string {
  // Written out rather than looped over names: this runs per packet.
  let best = 'size';
  let v = b.size;
  if (b.flags > v) { v = b.flags; best = 'flags'; }
  if (b.entropy > v) { v = b.entropy; best = 'entropy'; }
  if (b.iat > v) { v = b.iat; best = 'iat'; }
  if (b.baseline > v) best = 'baseline';
  return best;
}

function halve(st: ScoreState): void {
  for (let i = 0; i < st.hist.length; i++) st.hist[i] *= 0.5;
  for (let i = 0; i < st.evHist.length; i++) st.evHist[i] *= 0.5;
  st.total *= 0.5;
}

function emptySnapshot(vmId: string): BaselineSnapshot {
  return {
    scope: 'none', key: vmId, packets: 0, meanSize: 0, stdSize: 0, meanIatUs: 0, stdIatUs: 0, meanEntropy: 0,
    stdEntropy: 0, protocolMix: {}, distinctPeers: 0, distinctPorts: 0,
  };
}

export const scoreOperator: OperatorDefinition<ScoreConfig, PacketRecord, PacketRecord> = {
  name: 'score',
  description:
    'Weighted score from prediction error (size, flags, entropy, inter-arrival; against the model\'s ' +
    'prediction or the baseline\'s expectation) and baseline deviation, against a per-VM threshold ' +
    'calibrated from the VM\'s warm-up scores; anomalies go to side output "anomalies".',
  configSchema: scoreConfigSchema,
  create: (config) => new ScoreOperator(config),
};
