/**
 * TCP / UDP / ICMP / ICMPv6 headers: ports, flags and where the payload starts.
 * `l4Len` is the L4 length per the IP header; `end` is where the captured bytes stop.
 * A first fragment may hold only part of the L4 header (a tiny-fragment evasion): it keeps the
 * fields that are present instead of being skipped.
 */
import type { DecodedPacket } from './decoded-packet';
import type { LinkResult } from './link-layer';
import { SkipReason } from './skip-reason';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMPV6 = 58;

export function decodeTransport(b: Buffer, l4: number, end: number, l4Len: number, pkt: DecodedPacket, r: LinkResult): SkipReason | null {
  const proto = pkt.protocol;
  const cap = end - l4;
  let hdr = 0;
  if (proto === TCP) {
    if (l4Len < 20 && !pkt.fragment) return malformed(r, `TCP segment of ${l4Len} bytes, shorter than its header`);
    if (cap < 14 && !(pkt.fragment && l4Len < 14)) return truncated(r, 'TCP header');
    if (cap >= 4 && l4Len >= 4) {
      pkt.srcPort = (b[l4] << 8) | b[l4 + 1];
      pkt.dstPort = (b[l4 + 2] << 8) | b[l4 + 3];
    }
    if (cap >= 14 && l4Len >= 14) {
      hdr = (b[l4 + 12] >> 4) * 4;
      pkt.tcpFlags = b[l4 + 13];
      if (hdr < 20) return malformed(r, `TCP data offset ${hdr} below 20`);
      if (hdr > l4Len && !pkt.fragment) return malformed(r, `TCP data offset ${hdr} beyond the segment (${l4Len} bytes)`);
    } else hdr = l4Len;
  } else if (proto === UDP) {
    if (l4Len < 8 && !pkt.fragment) return malformed(r, `UDP datagram of ${l4Len} bytes, shorter than its header`);
    if (cap < 4 && !(pkt.fragment && l4Len < 4)) return truncated(r, 'UDP header');
    if (l4Len >= 4) {
      pkt.srcPort = (b[l4] << 8) | b[l4 + 1];
      pkt.dstPort = (b[l4 + 2] << 8) | b[l4 + 3];
    }
    hdr = 8;
  } else if (proto === ICMP || proto === ICMPV6) {
    // Type, code, checksum and the 4-byte rest-of-header; what follows is the payload.
    if (l4Len < 8 && !pkt.fragment) return malformed(r, `ICMP message of ${l4Len} bytes, shorter than its header`);
    hdr = 8;
  }
  if (hdr > l4Len) hdr = l4Len;
  setPayload(pkt, l4 + hdr, end, l4Len - hdr);
  return null;
}

/** Payload starts at `start`; `length` per the IP header, of which what was captured is sampled. */
export function setPayload(pkt: DecodedPacket, start: number, end: number, length: number): void {
  pkt.payloadOffset = start;
  pkt.payloadLength = length;
  const cap = end - start;
  pkt.payloadCaptured = cap <= 0 ? 0 : cap < length ? cap : length;
}

export function malformed(r: LinkResult, what: string): SkipReason {
  r.detail = what;
  return SkipReason.MALFORMED_L4;
}

export function truncated(r: LinkResult, what: string): SkipReason {
  r.detail = `${what} cut short by the capture`;
  return SkipReason.TRUNCATED;
}
