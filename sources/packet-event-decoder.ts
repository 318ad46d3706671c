/**
 * Turns a raw frame into a PacketEvent: decode, attribute to a VM, sample the payload.
 * Any source that has frames (pcap, live capture) uses it. One context per source: it holds the
 * reused decoder state and the skip counters.
 */
import type { PacketEvent } from '../schemas/types';
import { FrameDecoder } from './decode/frame-decoder';
import { SkipReason } from './decode/skip-reason';
import { PrivateRangeInventory } from './inventory/private-range-inventory';
import { Attribution, UNMAPPED_VM, type VmResolver } from './inventory/vm-ref';
import { formatIpv6, Ipv4TextCache } from './net/ip-address';

export const DEFAULT_PAYLOAD_SAMPLE_BYTES = 64;

/** What to do with a packet neither of whose ends is a known VM. */
export type UnknownPolicy = 'bucket' | 'drop';

/** A frame as the decoder needs it; RawFrame from the pcap reader is one. */
export interface FrameInput {
  readonly tsUs: number;
  readonly linkType: number;
  readonly buf: Buffer;
  readonly offset: number;
  readonly capLen: number;
  readonly origLen: number;
  /** 0-based position in the source, for warnings. */
  readonly index: number;
}

export interface SkippedFrame {
  reason: SkipReason;
  /** 1-based packet number (as Wireshark counts). */
  packetNumber: number;
  detail: string;
}

export interface FrameDecodeOptions {
  /** Default: PrivateRangeInventory (each private address is a VM). */
  inventory?: VmResolver;
  /** Bytes of L4 payload kept per packet (default 64). */
  payloadSampleBytes?: number;
  /** Default 'bucket': vmId "unmapped", direction UNKNOWN. 'drop' skips it as 'unmapped'. */
  unknown?: UnknownPolicy;
  /** Called for every skipped frame (non-IP, malformed, unmapped-and-dropped). */
  onSkip?: (s: SkippedFrame) => void;
}

export class FrameDecodeContext {
  readonly decoder = new FrameDecoder();
  readonly inventory: VmResolver;
  readonly payloadSampleBytes: number;
  readonly unknown: UnknownPolicy;
  readonly onSkip: ((s: SkippedFrame) => void) | undefined;
  /** Frames skipped, by reason. */
  readonly skipped: Record<string, number> = {};
  readonly attribution = new Attribution();
  readonly ipv4Text = new Ipv4TextCache();

  constructor(options: FrameDecodeOptions = {}) {
    this.inventory = options.inventory ?? new PrivateRangeInventory();
    this.payloadSampleBytes = options.payloadSampleBytes ?? DEFAULT_PAYLOAD_SAMPLE_BYTES;
    if (!Number.isInteger(this.payloadSampleBytes) || this.payloadSampleBytes < 0) {
      throw new RangeError(`payloadSampleBytes must be a non-negative integer, got ${this.payloadSampleBytes}`);
    }
    this.unknown = options.unknown ?? 'bucket';
    this.onSkip = options.onSkip;
  }

  skip(reason: SkipReason, index: number, detail: string): null {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
    if (this.onSkip) this.onSkip({ reason, packetNumber: index + 1, detail });
    return null;
  }
}

const EMPTY = Buffer.alloc(0);

/** The PacketEvent for `frame`, or null when it is skipped (counted in `ctx.skipped`). */
export function decodeFrameToPacketEvent(frame: FrameInput, ctx: FrameDecodeContext): PacketEvent | null {
  const dec = ctx.decoder;
  const reason = dec.decode(frame.buf, frame.offset, frame.capLen, frame.origLen, frame.linkType);
  if (reason !== null) return ctx.skip(reason, frame.index, dec.detail);
  const p = dec.packet;
  const at = ctx.attribution;
  if (!ctx.inventory.attribute(p, at)) {
    if (ctx.unknown === 'drop') return ctx.skip(SkipReason.UNMAPPED, frame.index, 'neither end is a known VM');
    at.vm = UNMAPPED_VM;
    at.direction = 'UNKNOWN';
  }
  const n = p.payloadCaptured < ctx.payloadSampleBytes ? p.payloadCaptured : ctx.payloadSampleBytes;
  let payload = EMPTY;
  if (n > 0) {
    // The one copy per packet: the frame's buffer is reused by the reader.
    payload = Buffer.allocUnsafe(n);
    p.buf.copy(payload, 0, p.payloadOffset, p.payloadOffset + n);
  }
  const v4 = p.ipVersion === 4;
  return {
    tsUs: frame.tsUs,
    vmId: at.vm.vmId,
    accountId: at.vm.accountId,
    vnetId: at.vm.vnetId,
    srcIp: v4 ? ctx.ipv4Text.text(p.srcIp4) : formatIpv6(p.srcIp6),
    dstIp: v4 ? ctx.ipv4Text.text(p.dstIp4) : formatIpv6(p.dstIp6),
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    protocol: p.protocol,
    size: frame.origLen,
    tcpFlags: p.tcpFlags,
    direction: at.direction,
    fragment: p.fragment,
    payloadLength: p.payloadLength,
    payload,
  };
}
