/**
 * Link-layer headers: find where the IP header starts and which IP version it is, and take the
 * MACs where the link has them. Ethernet (with 802.1Q / 802.1ad / QinQ tags), Linux SLL and SLL2,
 * raw IP (101, 228, 229) and BSD loopback (0, 108).
 */
import { readMac } from '../net/mac-address';
import { LinkType } from '../pcap/link-type';
import type { DecodedPacket } from './decoded-packet';
import { SkipReason } from './skip-reason';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ARPHRD_ETHER = 1;

/** Reused result of the link layer: offset of the IP header and its ethertype. */
export class LinkResult {
  l3 = 0;
  etherType = 0;
  detail = '';
}

export function decodeLinkLayer(b: Buffer, off: number, end: number, linkType: number, pkt: DecodedPacket, r: LinkResult): SkipReason | null {
  pkt.hasSrcMac = false;
  pkt.hasDstMac = false;
  switch (linkType) {
    case LinkType.ETHERNET:
      if (end - off < 14) return truncated(r, 'Ethernet header');
      pkt.dstMac = readMac(b, off);
      pkt.srcMac = readMac(b, off + 6);
      pkt.hasDstMac = pkt.hasSrcMac = true;
      return etherType(b, off + 12, end, r);
    case LinkType.LINUX_SLL:
      if (end - off < 16) return truncated(r, 'SLL header');
      // The address field is the sender's link-layer address; the receiver's is not recorded.
      if (((b[off + 2] << 8) | b[off + 3]) === ARPHRD_ETHER && ((b[off + 4] << 8) | b[off + 5]) === 6) {
        pkt.srcMac = readMac(b, off + 6);
        pkt.hasSrcMac = true;
      }
      return etherType(b, off + 14, end, r);
    case LinkType.LINUX_SLL2:
      if (end - off < 20) return truncated(r, 'SLL2 header');
      if (((b[off + 8] << 8) | b[off + 9]) === ARPHRD_ETHER && b[off + 11] === 6) {
        pkt.srcMac = readMac(b, off + 12);
        pkt.hasSrcMac = true;
      }
      r.l3 = off + 20;
      return etherTypeAt((b[off] << 8) | b[off + 1], off + 20, b, end, r);
    case LinkType.RAW:
      if (end - off < 1) return truncated(r, 'IP header');
      r.l3 = off;
      r.etherType = b[off] >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
      return null;
    case LinkType.IPV4:
      r.l3 = off;
      r.etherType = ETHERTYPE_IPV4;
      return null;
    case LinkType.IPV6:
      r.l3 = off;
      r.etherType = ETHERTYPE_IPV6;
      return null;
    case LinkType.NULL:
    case LinkType.LOOP: {
      if (end - off < 4) return truncated(r, 'loopback header');
      // Family is a small number in host (NULL) or network (LOOP) order: one end byte holds it.
      const family = b[off] | b[off + 3];
      r.l3 = off + 4;
      if (family === 2) r.etherType = ETHERTYPE_IPV4;
      else if (family === 10 || family === 24 || family === 28 || family === 30) r.etherType = ETHERTYPE_IPV6;
      else {
        r.detail = `loopback address family ${family}`;
        return SkipReason.NON_IP;
      }
      return null;
    }
    default:
      r.detail = `link type ${linkType}`;
      return SkipReason.UNSUPPORTED_LINK;
  }
}

/** Reads the ethertype at `p`, stepping over VLAN tags. */
function etherType(b: Buffer, p: number, end: number, r: LinkResult): SkipReason | null {
  return etherTypeAt((b[p] << 8) | b[p + 1], p + 2, b, end, r);
}

function etherTypeAt(type: number, next: number, b: Buffer, end: number, r: LinkResult): SkipReason | null {
  // 802.1Q, 802.1ad (QinQ outer tag) and the pre-standard 0x9100 outer tag.
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (end - next < 4) return truncated(r, 'VLAN tag');
    type = (b[next + 2] << 8) | b[next + 3];
    next += 4;
  }
  r.l3 = next;
  r.etherType = type;
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return null;
  r.detail = type < 0x0600 ? `802.3 length field ${type}` : `ethertype 0x${type.toString(16).padStart(4, '0')}`;
  return SkipReason.NON_IP;
}

function truncated(r: LinkResult, what: string): SkipReason {
  r.detail = `${what} cut short by the capture`;
  return SkipReason.TRUNCATED;
}
