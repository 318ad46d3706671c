/**
 * window: per-VM sliding and tumbling windows over event time.
 *
 * Fills `record.iatUs` (µs since the VM's previous packet, 0 for its first or an out-of-order one) and
 * `record.window` (packets, bytes, distinct service ports and peers, SYN-without-ACK share and rate over
 * the sliding window; and of what the VM itself opens: its egress SYN share and the distinct service ports
 * and peers of its outbound flows). When a tumbling window of `size` closes (event-time timer, i.e. the watermark
 * passed its end) it emits a `WindowSummary` to the side output `windows`, keyed by vmId.
 *
 * The sliding window is a ring of ceil(size / slide) buckets of `slide` each; distinct counts are
 * 512-bit linear-counting bitmaps per bucket, OR-ed over the ring (approximate, a few % error).
 */
import { z } from 'zod';
import type { Collector, Operator, OperatorContext, OperatorDefinition, Timer } from './contract';
import type { PacketRecord, WindowFeatures } from './packet-record';
import type { ValueState } from '../state/keyed-state';
import { positiveDurationUs } from './config/duration';
import { bitmapAdd, bitmapAddCounting, bitmapClear, bitmapEstimate, BITMAP_WORDS, estimateFromSetBits, newBitmaps, unionInto } from './internal/approx-distinct';
import { hashInt, hasPorts, hash32, isOutbound, peerOf, servicePort } from './internal/packet-features';

export const windowConfigSchema = z
  .object({
    /** Length of the sliding and tumbling windows. */
    size: positiveDurationUs,
    /** Advance of the sliding window; omitted or equal to size = tumbling only. */
    slide: positiveDurationUs.optional(),
    /** Drop the state of a VM silent for this long (processing time). */
    ttl: positiveDurationUs.default('1h'),
  })
  .strict()
  .transform((c) => ({ sizeUs: c.size, slideUs: Math.min(c.slide ?? c.size, c.size), ttlUs: c.ttl }));

export type WindowConfig = z.output<typeof windowConfigSchema>;

/** Emitted to side output `windows` when a VM's tumbling window closes. */
export interface WindowSummary {
  vmId: string;
  accountId: string;
  vnetId: string;
  startUs: number;
  endUs: number;
  packets: number;
  bytes: number;
  distinctPorts: number;
  distinctPeers: number;
  synRatio: number;
}

/** Pseudo-count of egress packets in the SYN share's denominator. */
const SYN_PRIOR_PACKETS = 8;

/** Tumbling windows kept open at once (the watermark lags event time by the out-of-orderness). */
const TUMBLE_SLOTS = 4;
const TUMBLE_TAG = 'tumble';

/** Per-VM keyed state: plain numbers and number arrays, mutated in place (checkpoints as JSON). */
export interface WindowState {
  lastTsUs: number;
  accountId: string;
  vnetId: string;
  /** Absolute number (ts / slide) of the newest sliding bucket, -1 before the first packet. */
  head: number;
  bPackets: number[];
  bBytes: number[];
  bSyn: number[];
  bPorts: number[];
  bPeers: number[];
  /** Egress packets, egress bytes and egress SYN-without-ACK per bucket. */
  bEgress: number[];
  bEgressBytes: number[];
  bOutSyn: number[];
  /** Service ports and peers of the flows the VM initiated (outbound), per bucket. */
  bOutPorts: number[];
  bOutPeers: number[];
  /** Running totals over the live sliding buckets, and the union of their bitmaps with its set bits. */
  sPackets: number;
  sBytes: number;
  sSyn: number;
  sEgress: number;
  sEgressBytes: number;
  sOutSyn: number;
  uPorts: number[];
  uPeers: number[];
  uPortsBits: number;
  uPeersBits: number;
  uOutPorts: number[];
  uOutPeers: number[];
  uOutPortsBits: number;
  uOutPeersBits: number;
  /** Tumbling slots: start time (-1 = free) and accumulators. */
  tStart: number[];
  tPackets: number[];
  tBytes: number[];
  tSyn: number[];
  tPorts: number[];
  tPeers: number[];
  /** Packets too late for a window that had already closed. */
  late: number;
}

function newWindowState(buckets: number, accountId: string, vnetId: string): WindowState {
  return {
    lastTsUs: -1,
    accountId,
    vnetId,
    head: -1,
    bPackets: new Array<number>(buckets).fill(0),
    bBytes: new Array<number>(buckets).fill(0),
    bSyn: new Array<number>(buckets).fill(0),
    bPorts: newBitmaps(buckets),
    bPeers: newBitmaps(buckets),
    bEgress: new Array<number>(buckets).fill(0),
    bEgressBytes: new Array<number>(buckets).fill(0),
    bOutSyn: new Array<number>(buckets).fill(0),
    bOutPorts: newBitmaps(buckets),
    bOutPeers: newBitmaps(buckets),
    sPackets: 0,
    sBytes: 0,
    sSyn: 0,
    sEgress: 0,
    sEgressBytes: 0,
    sOutSyn: 0,
    uPorts: newBitmaps(1),
    uPeers: newBitmaps(1),
    uPortsBits: 0,
    uPeersBits: 0,
    uOutPorts: newBitmaps(1),
    uOutPeers: newBitmaps(1),
    uOutPortsBits: 0,
    uOutPeersBits: 0,
    tStart: new Array<number>(TUMBLE_SLOTS).fill(-1),
    tPackets: new Array<number>(TUMBLE_SLOTS).fill(0),
    tBytes: new Array<number>(TUMBLE_SLOTS).fill(0),
    tSyn: new Array<number>(TUMBLE_SLOTS).fill(0),
    tPorts: newBitmaps(TUMBLE_SLOTS),
    tPeers: newBitmaps(TUMBLE_SLOTS),
    late: 0,
  };
}

class WindowOperator implements Operator<PacketRecord, PacketRecord> {
  private state!: ValueState<WindowState>;
  private readonly buckets: number;

  constructor(private readonly cfg: WindowConfig) {
    this.buckets = Math.ceil(cfg.sizeUs / cfg.slideUs);
  }

  open(ctx: OperatorContext): void {
    this.state = ctx.state.value<WindowState>('window', { ttlMs: this.cfg.ttlUs / 1000 });
  }

  process(record: PacketRecord, ctx: OperatorContext, out: Collector<PacketRecord>): void {
    const p = record.packet;
    const ts = p.tsUs;
    let st = this.state.get();
    // A state checkpointed before the egress counters existed restarts its sliding window (at most a second).
    if (st === undefined || st.bEgress === undefined) st = newWindowState(this.buckets, p.accountId, p.vnetId);

    record.iatUs = st.lastTsUs < 0 || ts < st.lastTsUs ? 0 : ts - st.lastTsUs;
    if (ts > st.lastTsUs) st.lastTsUs = ts;

    const syn = p.protocol === 6 && (p.tcpFlags & 0x12) === 0x02 ? 1 : 0;
    const ported = hasPorts(p);
    const portHash = ported ? hashInt(servicePort(p)) : 0;
    const peerHash = hash32(peerOf(p));
    // 0 = ingress, 1 = egress, 3 = outbound (egress of a flow the VM opened).
    const dir = p.direction === 'EGRESS' ? (isOutbound(p) ? 3 : 1) : 0;

    this.addSliding(st, ts, p.size, syn, dir, ported, portHash, peerHash);
    this.addTumbling(st, ts, p.size, syn, ported, portHash, peerHash, ctx);

    const packets = st.sPackets;
    const egress = st.sEgress;
    const features: WindowFeatures = {
      packets,
      bytes: st.sBytes,
      distinctPorts: estimateFromSetBits(st.uPortsBits),
      distinctPeers: estimateFromSetBits(st.uPeersBits),
      synRatio: packets > 0 ? st.sSyn / packets : 0,
      rate: packets / (this.cfg.sizeUs / 1e6),
      // Smoothed by a prior of SYN_PRIOR_PACKETS non-SYN egress packets: one SYN in an otherwise quiet
      // window (a VM opening its hourly connection) is not a half-open storm.
      egressSynRatio: st.sOutSyn / (egress + SYN_PRIOR_PACKETS),
      outboundPorts: estimateFromSetBits(st.uOutPortsBits),
      outboundPeers: estimateFromSetBits(st.uOutPeersBits),
    };
    record.window = features;
    this.state.set(st);
    out.collect(record);
  }

  onTimer(timer: Timer, ctx: OperatorContext): void {
    if (timer.tag !== TUMBLE_TAG) return;
    const st = this.state.get();
    if (st === undefined) return;
    const start = timer.timeUs + 1 - this.cfg.sizeUs;
    const slot = Math.floor(start / this.cfg.sizeUs) % TUMBLE_SLOTS;
    if (st.tStart[slot] !== start) return;
    this.emitSummary(st, slot, ctx);
    this.state.set(st);
  }

  private addSliding(st: WindowState, ts: number, size: number, syn: number, dir: number, ported: boolean, portHash: number, peerHash: number): void {
    const nb = this.buckets;
    const b = Math.floor(ts / this.cfg.slideUs);
    if (st.head < 0) st.head = b;
    if (b > st.head) {
      const steps = Math.min(b - st.head, nb);
      for (let j = 1; j <= steps; j++) {
        const i = (st.head + j) % nb;
        st.sPackets -= st.bPackets[i];
        st.sBytes -= st.bBytes[i];
        st.sSyn -= st.bSyn[i];
        st.sEgress -= st.bEgress[i];
        st.sEgressBytes -= st.bEgressBytes[i];
        st.sOutSyn -= st.bOutSyn[i];
        st.bPackets[i] = 0;
        st.bBytes[i] = 0;
        st.bSyn[i] = 0;
        st.bEgress[i] = 0;
        st.bEgressBytes[i] = 0;
        st.bOutSyn[i] = 0;
        bitmapClear(st.bPorts, i * BITMAP_WORDS);
        bitmapClear(st.bPeers, i * BITMAP_WORDS);
        bitmapClear(st.bOutPorts, i * BITMAP_WORDS);
        bitmapClear(st.bOutPeers, i * BITMAP_WORDS);
      }
      st.head = b;
      // Once per slide, not per packet: rebuild the union of the buckets still in the window.
      st.uPortsBits = unionInto(st.uPorts, st.bPorts, nb);
      st.uPeersBits = unionInto(st.uPeers, st.bPeers, nb);
      st.uOutPortsBits = unionInto(st.uOutPorts, st.bOutPorts, nb);
      st.uOutPeersBits = unionInto(st.uOutPeers, st.bOutPeers, nb);
    }
    if (st.head - b >= nb) return; // older than the whole sliding window
    const i = b % nb;
    st.bPackets[i]++;
    st.bBytes[i] += size;
    st.bSyn[i] += syn;
    st.sPackets++;
    st.sBytes += size;
    st.sSyn += syn;
    if (ported) {
      bitmapAdd(st.bPorts, i * BITMAP_WORDS, portHash);
      st.uPortsBits += bitmapAddCounting(st.uPorts, 0, portHash);
    }
    bitmapAdd(st.bPeers, i * BITMAP_WORDS, peerHash);
    st.uPeersBits += bitmapAddCounting(st.uPeers, 0, peerHash);
    if (dir === 0) return;
    st.bEgress[i]++;
    st.bEgressBytes[i] += size;
    st.sEgress++;
    st.sEgressBytes += size;
    if (dir !== 3) return;
    // SYNs and spread of the flows the VM opened: a server's half-open handshakes and its many
    // clients are inbound and stay out.
    st.bOutSyn[i] += syn;
    st.sOutSyn += syn;
    if (ported) {
      bitmapAdd(st.bOutPorts, i * BITMAP_WORDS, portHash);
      st.uOutPortsBits += bitmapAddCounting(st.uOutPorts, 0, portHash);
    }
    bitmapAdd(st.bOutPeers, i * BITMAP_WORDS, peerHash);
    st.uOutPeersBits += bitmapAddCounting(st.uOutPeers, 0, peerHash);
  }

  private addTumbling(st: WindowState, ts: number, size: number, syn: number, ported: boolean, portHash: number, peerHash: number, ctx: OperatorContext): void {
    const sizeUs = this.cfg.sizeUs;
    const w = Math.floor(ts / sizeUs);
    const start = w * sizeUs;
    const slot = w % TUMBLE_SLOTS;
    if (st.tStart[slot] !== start) {
      // A window whose end the watermark already passed has been emitted: the packet is late.
      if (start + sizeUs - 1 <= ctx.timers.currentWatermarkUs() || st.tStart[slot] > start) {
        st.late++;
        return;
      }
      if (st.tStart[slot] >= 0) {
        // The watermark lags by more than TUMBLE_SLOTS windows: close the oldest early rather than mix them.
        ctx.timers.deleteEventTimeTimer(st.tStart[slot] + sizeUs - 1, TUMBLE_TAG);
        this.emitSummary(st, slot, ctx);
      }
      st.tStart[slot] = start;
      ctx.timers.registerEventTimeTimer(start + sizeUs - 1, TUMBLE_TAG);
    }
    st.tPackets[slot]++;
    st.tBytes[slot] += size;
    st.tSyn[slot] += syn;
    if (ported) bitmapAdd(st.tPorts, slot * BITMAP_WORDS, portHash);
    bitmapAdd(st.tPeers, slot * BITMAP_WORDS, peerHash);
  }

  private emitSummary(st: WindowState, slot: number, ctx: OperatorContext): void {
    const packets = st.tPackets[slot];
    const summary: WindowSummary = {
      vmId: ctx.currentKey,
      accountId: st.accountId,
      vnetId: st.vnetId,
      startUs: st.tStart[slot],
      endUs: st.tStart[slot] + this.cfg.sizeUs,
      packets,
      bytes: st.tBytes[slot],
      distinctPorts: bitmapEstimate(st.tPorts, slot * BITMAP_WORDS),
      distinctPeers: bitmapEstimate(st.tPeers, slot * BITMAP_WORDS),
      synRatio: packets > 0 ? st.tSyn[slot] / packets : 0,
    };
    ctx.outputs.emit('windows', ctx.currentKey, summary);
    st.tStart[slot] = -1;
    st.tPackets[slot] = 0;
    st.tBytes[slot] = 0;
    st.tSyn[slot] = 0;
    bitmapClear(st.tPorts, slot * BITMAP_WORDS);
    bitmapClear(st.tPeers, slot * BITMAP_WORDS);
  }
}

export const windowOperator: OperatorDefinition<WindowConfig, PacketRecord, PacketRecord> = {
  name: 'window',
  description:
    'Per-VM sliding (size, slide) and tumbling (size) windows over event time: fills iatUs and window ' +
    'features (packets, bytes, distinct ports and peers, SYN-without-ACK share, rate) and emits a summary ' +
    'per closed tumbling window to side output "windows".',
  configSchema: windowConfigSchema,
  create: (config) => new WindowOperator(config),
};
