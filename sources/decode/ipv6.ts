/**
 * IPv6 header and its extension headers (hop-by-hop, routing, fragment, destination options,
 * AH, mobility, HIP, shim6). A Fragment header with a non-zero offset ends the walk: what follows
 * is fragment data. A Fragment header with offset 0 and M clear (an atomic fragment) is a whole packet.
 */
import type { DecodedPacket } from './decoded-packet';
import type { LinkResult } from './link-layer';
import { SkipReason } from './skip-reason';
import { decodeTransport, setPayload, truncated } from './transport';

const FRAGMENT = 44;
const AH = 51;
/** More than this many extension headers is not a real packet. */
const MAX_EXT_HEADERS = 16;

function isExtHeader(n: number): boolean {
  return n === 0 || n === 43 || n === 60 || n === 135 || n === 139 || n === 140;
}

export function decodeIpv6(b: Buffer, o: number, end: number, wireLen: number, pkt: DecodedPacket, r: LinkResult): SkipReason | null {
  if (end - o < 40) return truncated(r, 'IPv6 header');
  if (b[o] >> 4 !== 6) return bad(r, `IP version ${b[o] >> 4} in an IPv6 frame`);
  let payloadLen = (b[o + 4] << 8) | b[o + 5];
  // 0 is a jumbogram or a TSO capture: the wire says how long it is.
  if (payloadLen === 0 || payloadLen > wireLen - 40) payloadLen = Math.max(0, wireLen - 40);
  let next = b[o + 6];
  pkt.ipVersion = 6;
  pkt.fragment = false;
  readWords(b, o + 8, pkt.srcIp6);
  readWords(b, o + 24, pkt.dstIp6);
  const ipEnd = o + 40 + payloadLen < end ? o + 40 + payloadLen : end;
  let p = o + 40;
  let left = payloadLen;
  for (let i = 0; ; i++) {
    if (i > MAX_EXT_HEADERS) return bad(r, `more than ${MAX_EXT_HEADERS} extension headers`);
    let len: number;
    if (isExtHeader(next)) len = 0;
    else if (next === AH) len = -1;
    else if (next === FRAGMENT) len = 8;
    else break;
    if (left < 8) return bad(r, `extension header ${next} beyond the payload length`);
    if (ipEnd - p < 8) return truncated(r, `IPv6 extension header ${next}`);
    if (len === 0) len = (b[p + 1] + 1) * 8;
    else if (len === -1) len = (b[p + 1] + 2) * 4;
    if (len > left) return bad(r, `extension header ${next} of ${len} bytes beyond the payload length`);
    if (next === FRAGMENT) {
      const fo = (b[p + 2] << 8) | b[p + 3];
      const offset = fo & 0xfff8;
      if (offset !== 0 || (fo & 1) !== 0) pkt.fragment = true;
      next = b[p];
      p += 8;
      left -= 8;
      if (offset !== 0) {
        pkt.protocol = next;
        setPayload(pkt, p, ipEnd, left);
        return null;
      }
      continue;
    }
    next = b[p];
    p += len;
    left -= len;
  }
  pkt.protocol = next;
  return decodeTransport(b, p, ipEnd, left, pkt, r);
}

function readWords(b: Buffer, p: number, out: Uint32Array): void {
  for (let i = 0; i < 4; i++, p += 4) out[i] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

function bad(r: LinkResult, what: string): SkipReason {
  r.detail = what;
  return SkipReason.MALFORMED_IP;
}
