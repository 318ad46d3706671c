/**
 * In-place address rewriting of an Ethernet/IPv4 frame: one IPv4 address becomes another (both
 * directions), the MACs follow, and the IPv4 header checksum plus the TCP/UDP checksum (whose
 * pseudo-header holds the addresses) are updated incrementally (RFC 1624). Other frames are left alone.
 */

export interface AddressRewrite {
  /** IPv4 address to replace (unsigned 32-bit). */
  from: number;
  to: number;
  /** MAC of `to`, six bytes, written on its side of the frame. */
  toMac: Uint8Array;
  /** MAC written on the other side (the VM's gateway), or null to keep the capture's. */
  peerMac: Uint8Array | null;
}

/** Which side of the frame held the rewritten address. */
export type RewrittenSide = 'src' | 'dst' | 'none';

const ETH_IPV4 = 0x0800;
const ETH_VLAN = [0x8100, 0x88a8, 0x9100];

/** Offset of the IPv4 header in an Ethernet frame (VLAN tags skipped), or -1 when it is not IPv4. */
export function ipv4Offset(buf: Uint8Array, off: number, len: number): number {
  let p = off + 12;
  for (;;) {
    if (p + 2 > off + len) return -1;
    const type = (buf[p] << 8) | buf[p + 1];
    if (ETH_VLAN.includes(type)) {
      p += 4;
      continue;
    }
    if (type !== ETH_IPV4) return -1;
    p += 2;
    return p + 20 <= off + len && buf[p] >> 4 === 4 ? p : -1;
  }
}

const read32 = (b: Uint8Array, p: number): number => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
function write32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

/** The one's-complement checksum at `p` after a 32-bit field changed from `old` to `now`. */
function adjustChecksum(b: Uint8Array, p: number, old: number, now: number, zeroMeansNone: boolean): void {
  const hc = (b[p] << 8) | b[p + 1];
  if (zeroMeansNone && hc === 0) return;
  let sum = (~hc & 0xffff) + (~(old >>> 16) & 0xffff) + (~old & 0xffff) + (now >>> 16) + (now & 0xffff);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  let c = ~sum & 0xffff;
  if (zeroMeansNone && c === 0) c = 0xffff;
  b[p] = c >>> 8;
  b[p + 1] = c & 0xff;
}

/** Recomputes the IPv4 header checksum of the header at `ip`. */
export function fixIpv4HeaderChecksum(b: Uint8Array, ip: number): void {
  const ihl = (b[ip] & 0x0f) * 4;
  b[ip + 10] = 0;
  b[ip + 11] = 0;
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += (b[ip + i] << 8) | b[ip + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  b[ip + 10] = c >>> 8;
  b[ip + 11] = c & 0xff;
}

/** Rewrites frame bytes [off, off + len) in place. */
export function rewriteFrame(buf: Uint8Array, off: number, len: number, r: AddressRewrite): RewrittenSide {
  const ip = ipv4Offset(buf, off, len);
  if (ip < 0) return 'none';
  const src = read32(buf, ip + 12);
  const dst = read32(buf, ip + 16);
  const side: RewrittenSide = src === r.from ? 'src' : dst === r.from ? 'dst' : 'none';
  if (side === 'none') return side;
  const field = side === 'src' ? ip + 12 : ip + 16;
  write32(buf, field, r.to);
  // Ethernet: destination MAC first, then source.
  const ourMac = side === 'src' ? off + 6 : off;
  const theirMac = side === 'src' ? off : off + 6;
  buf.set(r.toMac, ourMac);
  if (r.peerMac !== null) buf.set(r.peerMac, theirMac);
  fixIpv4HeaderChecksum(buf, ip);
  const ihl = (buf[ip] & 0x0f) * 4;
  const fragOffset = ((buf[ip + 6] & 0x1f) << 8) | buf[ip + 7];
  const l4 = ip + ihl;
  if (fragOffset === 0) {
    const proto = buf[ip + 9];
    if (proto === 6 && l4 + 18 <= off + len) adjustChecksum(buf, l4 + 16, r.from, r.to, false);
    else if (proto === 17 && l4 + 8 <= off + len) adjustChecksum(buf, l4 + 6, r.from, r.to, true);
  }
  return side;
}
