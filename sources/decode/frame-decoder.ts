/**
 * Decodes one frame into a reused DecodedPacket: link layer, IPv4/IPv6, then TCP/UDP/ICMP.
 * Returns null on success, else the skip reason (with `detail` saying what was wrong).
 * Never throws: every read is bounds-checked against the captured length.
 */
import { DecodedPacket } from './decoded-packet';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeLinkLayer, ETHERTYPE_IPV4, LinkResult } from './link-layer';
import type { SkipReason } from './skip-reason';

export class FrameDecoder {
  readonly packet = new DecodedPacket();
  private readonly link = new LinkResult();

  /** What was wrong with the last skipped frame, for a warning. */
  get detail(): string {
    return this.link.detail;
  }

  decode(buf: Buffer, offset: number, capLen: number, origLen: number, linkType: number): SkipReason | null {
    const pkt = this.packet;
    const link = this.link;
    pkt.buf = buf;
    pkt.srcPort = 0;
    pkt.dstPort = 0;
    pkt.tcpFlags = 0;
    pkt.fragment = false;
    pkt.payloadOffset = 0;
    pkt.payloadCaptured = 0;
    pkt.payloadLength = 0;
    const end = offset + capLen;
    const skip = decodeLinkLayer(buf, offset, end, linkType, pkt, link);
    if (skip !== null) return skip;
    // What the IP layer had on the wire: the snap length may have cut the capture, not the packet.
    const wireLen = (origLen > capLen ? origLen : capLen) - (link.l3 - offset);
    return link.etherType === ETHERTYPE_IPV4
      ? decodeIpv4(buf, link.l3, end, wireLen, pkt, link)
      : decodeIpv6(buf, link.l3, end, wireLen, pkt, link);
  }
}
