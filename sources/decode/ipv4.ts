/**
 * IPv4 header. A fragment with a non-zero offset carries no L4 header: ports 0, its data is
 * the payload. The total length (not the captured length) gives the payload length; a total
 * length of 0 (TSO offload in captures taken on the sender) falls back to the wire length.
 */
import type { DecodedPacket } from './decoded-packet';
import type { LinkResult } from './link-layer';
import { SkipReason } from './skip-reason';
import { decodeTransport, setPayload, truncated } from './transport';

export function decodeIpv4(b: Buffer, o: number, end: number, wireLen: number, pkt: DecodedPacket, r: LinkResult): SkipReason | null {
  if (end - o < 20) return truncated(r, 'IPv4 header');
  const vihl = b[o];
  if (vihl >> 4 !== 4) return bad(r, `IP version ${vihl >> 4} in an IPv4 frame`);
  const ihl = (vihl & 15) * 4;
  if (ihl < 20) return bad(r, `IPv4 header length ${ihl} below 20`);
  if (end - o < ihl) return truncated(r, 'IPv4 options');
  let total = (b[o + 2] << 8) | b[o + 3];
  if (total === 0) total = wireLen;
  if (total < ihl) return bad(r, `IPv4 total length ${total} below its header length ${ihl}`);
  // Link padding can make the wire longer than the datagram; a longer datagram than the wire is kept at the wire's length.
  if (total > wireLen) total = wireLen;
  const fragField = (b[o + 6] << 8) | b[o + 7];
  const fragOffset = fragField & 0x1fff;
  pkt.ipVersion = 4;
  pkt.fragment = fragOffset !== 0 || (fragField & 0x2000) !== 0;
  pkt.protocol = b[o + 9];
  pkt.srcIp4 = ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0;
  pkt.dstIp4 = ((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0;
  const l4 = o + ihl;
  const ipEnd = o + total < end ? o + total : end;
  if (fragOffset !== 0) {
    setPayload(pkt, l4, ipEnd, total - ihl);
    return null;
  }
  return decodeTransport(b, l4, ipEnd, total - ihl, pkt, r);
}

function bad(r: LinkResult, what: string): SkipReason {
  r.detail = what;
  return SkipReason.MALFORMED_IP;
}
