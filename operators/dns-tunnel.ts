/**
 * dns-tunnel: flags VMs that tunnel data through DNS queries (long, random-looking query names).
 *
 * For each DNS query a VM sends (UDP or TCP to port 53, QR bit 0), the query name is read from the
 * payload sample: the label characters that fit in the sample, the label lengths (their length
 * bytes), and the name's full length, estimated from `payloadLength` when the sample cuts the name
 * off (a 64-byte sample shows the first ~50 characters). A query is suspicious when its name is long
 * (a label of `minLabelLength` or a name of `minNameLength` characters) and its characters have a
 * high Shannon entropy (at least `minEntropy` bits per character over at least `minVisibleChars`):
 * base32/hex-encoded payloads score about 4.5-5 bits, words about 3-3.8. One long random name is a
 * CDN; a VM sending `minQueries` of them, making up `minShare` of its DNS queries, within `window`
 * is a tunnel: one alert goes to the side output `stream` (default `dns-tunnel`), then none for that
 * VM during `cooldown`. Records pass through unchanged.
 */
import { z } from 'zod';
import type { Collector, Operator, OperatorContext, OperatorDefinition } from './contract';
import type { PacketRecord } from './packet-record';
import type { ValueState } from '../state/keyed-state';
import { positiveDurationUs } from './config/duration';

export const dnsTunnelConfigSchema = z
  .object({
    /** Per-VM tumbling window (event time) in which suspicious queries are counted. */
    window: positiveDurationUs.default('60s'),
    /** Suspicious queries in one window that make an alert. */
    minQueries: z.number().int().min(1).default(20),
    /** ...and their share of the VM's DNS queries in that window. */
    minShare: z.number().min(0).max(1).default(0.5),
    /** Bits per character of the visible name at or above which a long name looks encoded. */
    minEntropy: z.number().min(0).max(8).default(4),
    minLabelLength: z.number().int().min(1).max(63).default(30),
    minNameLength: z.number().int().min(1).max(253).default(60),
    /** Fewer visible characters than this say nothing about entropy (the sample was too short). */
    minVisibleChars: z.number().int().min(1).default(16),
    cooldown: positiveDurationUs.default('5m'),
    ttl: positiveDurationUs.default('1h'),
    /** Side output the alerts go to (a topology sink with this stream writes them). */
    stream: z.string().min(1).default('dns-tunnel'),
  })
  .strict();

export type DnsTunnelConfig = z.output<typeof dnsTunnelConfigSchema>;

/** Per-VM keyed state: the current window's counts, mutated in place. */
export interface DnsTunnelState {
  windowStartUs: number;
  queries: number;
  suspicious: number;
  /** Sums over the window's suspicious queries, for the alert's means. */
  entropySum: number;
  nameLengthSum: number;
  /** Time of the last alert (-1: none yet). */
  lastAlertUs: number;
}

/** One alert on the side output. */
export interface DnsTunnelAlert {
  vmId: string;
  accountId: string;
  vnetId: string;
  /** Time of the query that completed the evidence. */
  tsUs: number;
  windowStartUs: number;
  queries: number;
  suspicious: number;
  /** Means over the window's suspicious queries: bits per character, and characters (dotted name). */
  meanEntropy: number;
  meanNameLength: number;
  /** The resolver the queries went to, and the visible part of the last suspicious name. */
  resolver: string;
  sampleName: string;
}

/** What one DNS query's name looks like; `parseDnsQueryName` fills a reused instance. */
export interface DnsQueryName {
  /** Dotted length of the whole name (exact when `complete`, else estimated from the payload length). */
  nameLength: number;
  /** Longest label, from the label length bytes seen. */
  longestLabel: number;
  /** Label characters visible in the sample, and their Shannon entropy in bits per character. */
  visibleChars: number;
  entropy: number;
  /** True when the whole name fit in the sample. */
  complete: boolean;
  /** Offset of the name in the payload (for the alert's sample name). */
  offset: number;
}

// Reused across calls: the entropy counts of one name (the hot path allocates nothing per packet).
const counts = new Uint32Array(256);
const touched = new Uint8Array(256);

/**
 * Reads the question name of a DNS query in `payload` (a sample of a message of `payloadLength`
 * bytes; TCP messages start with a 2-byte length). Returns false when it is not a query with a name.
 */
export function parseDnsQueryName(payload: Buffer, payloadLength: number, tcp: boolean, out: DnsQueryName): boolean {
  const base = tcp ? 2 : 0;
  if (payload.length < base + 13) return false;
  const flags = payload[base + 2];
  // QR = 0 (query), opcode 0 (standard query), at least one question.
  if ((flags & 0x80) !== 0 || (flags & 0x78) !== 0 || payload.readUInt16BE(base + 4) === 0) return false;
  const arcount = payload.readUInt16BE(base + 10);
  let o = base + 12;
  out.offset = o;
  let dotted = -1;
  let longest = 0;
  let visible = 0;
  let complete = false;
  let distinct = 0;
  let bad = false;
  for (;;) {
    if (o >= payload.length) break;
    const len = payload[o];
    if (len === 0) {
      complete = true;
      break;
    }
    if (len > 63) {
      // A compression pointer or a reserved label type: not a question name.
      bad = true;
      break;
    }
    dotted += len + 1;
    if (len > longest) longest = len;
    const end = Math.min(o + 1 + len, payload.length);
    for (let i = o + 1; i < end; i++) {
      const c = payload[i];
      if (touched[c] === 0) {
        touched[c] = 1;
        distinct++;
      }
      counts[c]++;
      visible++;
    }
    o += 1 + len;
  }
  // Entropy of the visible characters; the shared tables are cleared on the way.
  let h = 0;
  for (let c = 0; distinct > 0 && c < 256; c++) {
    if (touched[c] === 0) continue;
    const p = counts[c] / visible;
    h -= p * Math.log2(p);
    counts[c] = 0;
    touched[c] = 0;
    distinct--;
  }
  if (bad) return false;
  if (dotted < 0) dotted = 0;
  if (!complete) {
    // The name's wire length is what the message holds besides the header, QTYPE/QCLASS and, with
    // ARCOUNT 1, an EDNS OPT record (11 bytes); dotted = wire - 2.
    const wire = payloadLength - 12 - 4 - (arcount === 1 ? 11 : 0) - base;
    if (wire - 2 > dotted) dotted = wire - 2;
  }
  out.nameLength = dotted;
  out.longestLabel = longest;
  out.visibleChars = visible;
  out.entropy = h;
  out.complete = complete;
  return true;
}

/** The visible labels of the name at `offset`, dotted (only built for alerts). */
function visibleName(payload: Buffer, offset: number): string {
  const parts: string[] = [];
  let o = offset;
  while (o < payload.length && payload[o] !== 0 && payload[o] <= 63) {
    const end = Math.min(o + 1 + payload[o], payload.length);
    parts.push(payload.toString('latin1', o + 1, end));
    o += 1 + payload[o];
  }
  return parts.join('.') + (o >= payload.length ? '...' : '');
}

class DnsTunnelOperator implements Operator<PacketRecord, PacketRecord> {
  private state!: ValueState<DnsTunnelState>;
  private readonly q: DnsQueryName = { nameLength: 0, longestLabel: 0, visibleChars: 0, entropy: 0, complete: false, offset: 0 };

  constructor(private readonly cfg: DnsTunnelConfig) {}

  open(ctx: OperatorContext): void {
    this.state = ctx.state.value<DnsTunnelState>('dns', { ttlMs: this.cfg.ttl / 1000 });
  }

  process(record: PacketRecord, ctx: OperatorContext, out: Collector<PacketRecord>): void {
    const p = record.packet;
    out.collect(record);
    if (p.dstPort !== 53 || p.direction !== 'EGRESS' || (p.protocol !== 17 && p.protocol !== 6)) return;
    const payload = p.payload;
    if (payload === undefined || payload === null || !parseDnsQueryName(payload, p.payloadLength, p.protocol === 6, this.q)) return;
    const cfg = this.cfg;
    const q = this.q;
    let st = this.state.get();
    if (st === undefined) st = { windowStartUs: p.tsUs, queries: 0, suspicious: 0, entropySum: 0, nameLengthSum: 0, lastAlertUs: -1 };
    if (p.tsUs - st.windowStartUs >= cfg.window) {
      st.windowStartUs = p.tsUs;
      st.queries = 0;
      st.suspicious = 0;
      st.entropySum = 0;
      st.nameLengthSum = 0;
    }
    st.queries++;
    const long = q.longestLabel >= cfg.minLabelLength || q.nameLength >= cfg.minNameLength;
    if (long && q.visibleChars >= cfg.minVisibleChars && q.entropy >= cfg.minEntropy) {
      st.suspicious++;
      st.entropySum += q.entropy;
      st.nameLengthSum += q.nameLength;
      const cooled = st.lastAlertUs < 0 || p.tsUs - st.lastAlertUs >= cfg.cooldown;
      if (cooled && st.suspicious >= cfg.minQueries && st.suspicious >= cfg.minShare * st.queries) {
        st.lastAlertUs = p.tsUs;
        const alert: DnsTunnelAlert = {
          vmId: p.vmId,
          accountId: p.accountId,
          vnetId: p.vnetId,
          tsUs: p.tsUs,
          windowStartUs: st.windowStartUs,
          queries: st.queries,
          suspicious: st.suspicious,
          meanEntropy: st.entropySum / st.suspicious,
          meanNameLength: st.nameLengthSum / st.suspicious,
          resolver: p.dstIp,
          sampleName: visibleName(payload, q.offset),
        };
        ctx.outputs.emit(cfg.stream, ctx.currentKey, alert);
        ctx.log.warn('dns tunnel suspected', { vmId: p.vmId, suspicious: st.suspicious, queries: st.queries, meanEntropy: alert.meanEntropy });
      }
    }
    this.state.set(st);
  }
}

export const dnsTunnelOperator: OperatorDefinition<DnsTunnelConfig, PacketRecord, PacketRecord> = {
  name: 'dns-tunnel',
  description:
    'Flags a VM whose DNS queries carry long, high-entropy names (base32/hex-encoded data) at volume: at least ' +
    'minQueries such queries, minShare of its DNS queries, within window. Alerts go to the side output ' +
    "`dns-tunnel` (once per cooldown); records pass through unchanged. Reads the name from the payload sample.",
  configSchema: dnsTunnelConfigSchema,
  create: (config) => new DnsTunnelOperator(config),
};
