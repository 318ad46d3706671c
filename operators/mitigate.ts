/**
 * mitigate: turns anomalies into mitigation decisions with a policy (tiers of score ratio, a burst gate,
 * cooldown, hysteresis, expiry, allow-list, dry-run).
 *
 * It makes ONE decision per change of a VM's action, never one per packet: escalation (at once, when
 * the ratio reaches a more severe tier and - past ALERT - at least `minAnomalies` anomalies fell within
 * `window`), de-escalation (after `cooldown`, when the VM's decaying peak ratio has fallen below
 * tier * (1 - hysteresis)), renewal (half-way to expiry while anomalies go on) and expiry (NONE at
 * `expiresAtUs` when not renewed). Decisions go to side output `mitigations`; every anomaly goes to
 * `forensics` as a ForensicRecord with the VM's current decision. Records pass through unchanged.
 *
 * The peak ratio decays with a half-life of window / 2, so a VM that stops misbehaving steps down
 * within a few windows, and one normal packet in a flood does not lift the action.
 */
import { z } from 'zod';
import type { Collector, Operator, OperatorContext, OperatorDefinition, Timer } from './contract';
import type { PacketRecord } from './packet-record';
import type { ForensicRecord, MitigationAction, MitigationDecision } from '../schemas/types';
import type { ValueState } from '../state/keyed-state';
import { ownIpOf } from './internal/packet-features';
import { ipInNet, parseIpNet, type IpNet } from './policy/ip-match';
import { loadPolicyFile, validatePolicy } from './policy/load-policy';
import { PolicyError } from './policy/policy-error';
import { ACTION_RANK, type Policy } from './policy/policy-schema';

export const mitigateConfigSchema = z
  .object({
    /** Policy file (relative to cwd or the repo root), or the policy itself inline. */
    policy: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** Forces dry-run (decisions are emitted, marked dryRun, and not to be enforced). */
    dryRun: z.boolean().optional(),
  })
  .strict()
  .transform((c, ctx) => {
    try {
      const policy = typeof c.policy === 'string' ? loadPolicyFile(c.policy) : validatePolicy(c.policy, '<inline policy>');
      return { policy, policyFile: typeof c.policy === 'string' ? c.policy : null, dryRun: c.dryRun === true || policy.dryRun };
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['policy'], message: e.message });
      return z.NEVER;
    }
  });

export type MitigateConfig = z.output<typeof mitigateConfigSchema>;

/** Per-VM keyed state. */
export interface MitigateState {
  accountId: string;
  vnetId: string;
  action: MitigationAction;
  /** `above` of the tier behind the current action (0 for NONE): the hysteresis reference. */
  level: number;
  sinceUs: number;
  expiresAtUs: number;
  /** Peak score ratio, decaying from envUs with half-life window / 2. */
  env: number;
  envUs: number;
  /** Ring of the last anomaly times (-1 = empty), as many as the largest minAnomalies of the policy. */
  recent: number[];
  recentNext: number;
  decision: MitigationDecision | null;
  lastAnomalyId: string;
  lastScore: number;
  /** Event-time timers currently registered (-1 = none). */
  reviewAtUs: number;
  decisions: number;
}

const EXPIRE_TAG = 'expire';
const REVIEW_TAG = 'review';

interface Target {
  action: MitigationAction;
  level: number;
  rateKbps: number | null;
}

class MitigateOperator implements Operator<PacketRecord, PacketRecord> {
  private state!: ValueState<MitigateState>;
  private readonly policy: Policy;
  private readonly allowIds: Set<string>;
  private readonly allowNets: IpNet[];
  private readonly envHalfLifeUs: number;
  /** Slots of the per-VM ring of anomaly times: the largest minAnomalies any tier needs. */
  private readonly ringSize: number;
  private readonly target: Target = { action: 'NONE', level: 0, rateKbps: null };

  constructor(private readonly cfg: MitigateConfig) {
    this.policy = cfg.policy;
    this.allowIds = new Set<string>();
    this.allowNets = [];
    for (const entry of cfg.policy.allowList) {
      const net = parseIpNet(entry);
      if (net !== null) this.allowNets.push(net);
      else this.allowIds.add(entry);
    }
    this.envHalfLifeUs = Math.max(1, cfg.policy.windowUs / 2);
    this.ringSize = Math.max(cfg.policy.minAnomalies, ...cfg.policy.tiers.map((t) => t.minAnomalies));
  }

  open(ctx: OperatorContext): void {
    // Kept for as long as a decision can live, so an active action's state never vanishes under it.
    const ttlMs = Math.max(3600e3, (this.policy.expireAfterUs / 1000) * 2);
    this.state = ctx.state.value<MitigateState>('mitigate', { ttlMs });
  }

  process(record: PacketRecord, ctx: OperatorContext, out: Collector<PacketRecord>): void {
    const anomaly = record.anomaly;
    let st = this.state.get();
    if (anomaly === undefined && (st === undefined || st.action === 'NONE')) {
      out.collect(record);
      return;
    }
    const p = record.packet;
    const ts = p.tsUs;
    if (st === undefined) st = this.newState(p.accountId, p.vnetId);
    let decided = false;

    if (anomaly !== undefined) {
      const ratio = anomaly.threshold > 0 ? anomaly.score / anomaly.threshold : Infinity;
      st.env = Math.max(this.envAt(st, ts), ratio);
      st.envUs = ts;
      st.recent[st.recentNext] = ts;
      st.recentNext = (st.recentNext + 1) % st.recent.length;
      st.lastAnomalyId = anomaly.id;
      st.lastScore = anomaly.score;

      const recent = this.countRecent(st, ts);
      const t = this.targetFor(ratio, record.entropy, recent, this.allowListed(ctx.currentKey, ownIpOf(p)));
      if (ACTION_RANK[t.action] > ACTION_RANK[st.action]) {
        const reason = `score ratio ${ratio.toFixed(2)} >= ${t.level} (${t.action}); ${recent} anomalies within ${this.policy.windowUs / 1e6}s`;
        this.decide(st, ctx, ts, t, anomaly.score, reason);
        decided = true;
      } else if (st.action !== 'NONE' && st.expiresAtUs - ts < this.policy.expireAfterUs / 2) {
        const renew: Target = { action: st.action, level: st.level, rateKbps: st.decision?.rateKbps ?? null };
        this.decide(st, ctx, ts, renew, anomaly.score, `renewed: anomalies continue (ratio ${ratio.toFixed(2)})`);
        decided = true;
      }
    }
    if (!decided && st.action !== 'NONE') this.review(st, ctx, ts, record.entropy);

    if (anomaly !== undefined) {
      const forensic: ForensicRecord = { anomaly, reconstructed: record.reconstructed ?? [], decision: st.decision, incidentId: null };
      ctx.outputs.emit('forensics', ctx.currentKey, forensic);
    }
    this.state.set(st);
    out.collect(record);
  }

  onTimer(timer: Timer, ctx: OperatorContext): void {
    const st = this.state.get();
    if (st === undefined || st.action === 'NONE') return;
    if (timer.tag === EXPIRE_TAG) {
      if (timer.timeUs !== st.expiresAtUs) return;
      this.decide(st, ctx, timer.timeUs, { action: 'NONE', level: 0, rateKbps: null }, st.lastScore, `expired: no renewal since ${st.sinceUs}`);
    } else if (timer.tag === REVIEW_TAG) {
      if (timer.timeUs !== st.reviewAtUs) return;
      st.reviewAtUs = -1;
      this.review(st, ctx, timer.timeUs, 0);
      if ((st.action as MitigationAction) !== 'NONE' && st.reviewAtUs < 0) this.scheduleReview(st, ctx, this.nextReviewUs(st, timer.timeUs));
    }
    this.state.set(st);
  }

  /** De-escalates when the cooldown has passed and the decayed peak ratio fell below the hysteresis band. */
  private review(st: MitigateState, ctx: OperatorContext, ts: number, entropy: number): void {
    if (ts - st.sinceUs < this.policy.cooldownUs) return;
    const env = this.envAt(st, ts);
    if (env >= st.level * (1 - this.policy.hysteresis)) return;
    const t = this.targetFor(env, entropy, this.ringSize, this.allowListed(ctx.currentKey, ''));
    if (ACTION_RANK[t.action] >= ACTION_RANK[st.action]) return;
    const reason = `de-escalated: peak ratio ${env.toFixed(2)} < ${st.level} * (1 - ${this.policy.hysteresis}) after cooldown`;
    this.decide(st, ctx, ts, t, st.lastScore, reason);
  }

  private decide(st: MitigateState, ctx: OperatorContext, ts: number, t: Target, score: number, reason: string): void {
    const vmId = ctx.currentKey;
    const previous = st.action;
    const expiresAtUs = t.action === 'NONE' ? ts : ts + this.policy.expireAfterUs;
    const decision: MitigationDecision = {
      id: `${vmId}:${t.action}:${ts}`,
      tsUs: ts,
      vmId,
      accountId: st.accountId,
      vnetId: st.vnetId,
      action: t.action,
      previousAction: previous,
      score,
      reason,
      rateKbps: t.action === 'RATE_LIMIT' ? t.rateKbps : null,
      flow: null,
      expiresAtUs,
      dryRun: this.cfg.dryRun,
      anomalyId: st.lastAnomalyId,
    };
    ctx.outputs.emit('mitigations', vmId, decision);
    st.decisions++;
    if (st.expiresAtUs > 0) ctx.timers.deleteEventTimeTimer(st.expiresAtUs, EXPIRE_TAG);
    if (t.action === 'NONE') {
      st.action = 'NONE';
      st.level = 0;
      st.decision = null;
      st.expiresAtUs = 0;
      st.sinceUs = ts;
      if (st.reviewAtUs >= 0) ctx.timers.deleteEventTimeTimer(st.reviewAtUs, REVIEW_TAG);
      st.reviewAtUs = -1;
      return;
    }
    const changed = t.action !== previous;
    st.action = t.action;
    st.level = t.level;
    st.decision = decision;
    st.expiresAtUs = expiresAtUs;
    ctx.timers.registerEventTimeTimer(expiresAtUs, EXPIRE_TAG);
    if (changed) {
      st.sinceUs = ts;
      this.scheduleReview(st, ctx, ts + Math.max(1, this.policy.cooldownUs));
    }
  }

  private scheduleReview(st: MitigateState, ctx: OperatorContext, atUs: number): void {
    if (st.reviewAtUs >= 0) ctx.timers.deleteEventTimeTimer(st.reviewAtUs, REVIEW_TAG);
    st.reviewAtUs = atUs;
    ctx.timers.registerEventTimeTimer(atUs, REVIEW_TAG);
  }

  /** When the decaying peak will cross below the hysteresis band (or the cooldown end, if later). */
  private nextReviewUs(st: MitigateState, now: number): number {
    const band = st.level * (1 - this.policy.hysteresis);
    const env = this.envAt(st, now);
    const cross = band > 0 && env > band ? now + Math.ceil(this.envHalfLifeUs * Math.log2(env / band)) + 1 : now + 1;
    return Math.max(cross, st.sinceUs + this.policy.cooldownUs, now + 1);
  }

  private envAt(st: MitigateState, ts: number): number {
    if (st.env <= 0 || ts <= st.envUs) return st.env;
    return st.env * Math.pow(2, -(ts - st.envUs) / this.envHalfLifeUs);
  }

  /**
   * The most severe tier whose ratio and anomaly count (within `window`) are both reached, after the
   * allow-list and the scrub rule. Reuses one object.
   */
  private targetFor(ratio: number, entropy: number, recent: number, allowListed: boolean): Target {
    const t = this.target;
    t.action = 'NONE';
    t.level = 0;
    t.rateKbps = null;
    const tiers = this.policy.tiers;
    for (let i = tiers.length - 1; i >= 0; i--) {
      const tier = tiers[i];
      // Allow-listed VMs are only ever alerted on.
      if (allowListed && ACTION_RANK[tier.action] > ACTION_RANK.ALERT) continue;
      if (ratio >= tier.above && recent >= tier.minAnomalies) {
        t.action = tier.action;
        t.level = tier.above;
        t.rateKbps = tier.rateKbps;
        break;
      }
    }
    const scrub = this.policy.scrubWhen;
    if (scrub !== null && ACTION_RANK[t.action] > ACTION_RANK.ALERT && entropy > scrub.entropyAbove && ACTION_RANK[t.action] < ACTION_RANK.SCRUB) {
      t.action = 'SCRUB';
      t.rateKbps = null;
    }
    return t;
  }

  private countRecent(st: MitigateState, ts: number): number {
    let n = 0;
    for (let i = 0; i < st.recent.length; i++) {
      const t = st.recent[i];
      if (t >= 0 && ts - t <= this.policy.windowUs && t <= ts) n++;
    }
    return n;
  }

  private allowListed(vmId: string, ip: string): boolean {
    if (this.allowIds.has(vmId)) return true;
    if (ip === '') return false;
    for (const net of this.allowNets) if (ipInNet(ip, net)) return true;
    return false;
  }

  private newState(accountId: string, vnetId: string): MitigateState {
    return {
      accountId, vnetId, action: 'NONE', level: 0, sinceUs: -1, expiresAtUs: 0, env: 0, envUs: 0,
      recent: new Array<number>(this.ringSize).fill(-1), recentNext: 0,
      decision: null, lastAnomalyId: '', lastScore: 0, reviewAtUs: -1, decisions: 0,
    };
  }
}


export const mitigateOperator: OperatorDefinition<MitigateConfig, PacketRecord, PacketRecord> = {
  name: 'mitigate',
  description:
    'Policy-driven mitigation: score-ratio tiers -> ALERT / RATE_LIMIT / SCRUB / DROP / ISOLATE with a burst ' +
    'gate, cooldown, hysteresis, expiry, allow-list and dry-run; one decision per change of action to ' +
    'side output "mitigations", and a ForensicRecord per anomaly to "forensics".',
  configSchema: mitigateConfigSchema,
  create: (config) => new MitigateOperator(config),
};
