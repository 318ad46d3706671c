/**
 * Builds link, IP and L4 headers byte by byte for decoder tests, independently of the decoder
 * (field offsets written out from the RFCs, not shared with sources/decode).
 */

export function mac(s: string): Buffer {
  return Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
}

function ipv4Bytes(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}

/** Expands an IPv6 text address to 16 bytes (test inputs use `::` at most once). */
export function ipv6Bytes(s: string): Buffer {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export function ethernet(dst: string, src: string, etherType: number, payload: Buffer, vlanTags: Array<[tpid: number, vid: number]> = []): Buffer {
  const tags = vlanTags.map(([tpid, vid]) => {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(tpid, 0);
    t.writeUInt16BE(vid, 2);
    return t;
  });
  const et = Buffer.alloc(2);
  et.writeUInt16BE(etherType);
  return Buffer.concat([mac(dst), mac(src), ...tags, et, payload]);
}

/** Linux cooked capture v1: packet type, ARPHRD, address length, 8-byte address, protocol. */
export function sll(srcMac: string, protocol: number, payload: Buffer, packetType = 0): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(packetType, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt16BE(6, 4);
  mac(srcMac).copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

/** Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address. */
export function sll2(srcMac: string, protocol: number, payload: Buffer, packetType = 4): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(3, 4);
  h.writeUInt16BE(1, 8);
  h[10] = packetType;
  h[11] = 6;
  mac(srcMac).copy(h, 12);
  return Buffer.concat([h, payload]);
}

export interface Ipv4Options {
  src: string;
  dst: string;
  protocol: number;
  payload: Buffer;
  /** More-fragments flag and fragment offset in 8-byte units. */
  moreFragments?: boolean;
  fragmentOffset?: number;
  /** Overrides the total length field. */
  totalLength?: number;
  /** Header length in 32-bit words (default 5). */
  ihl?: number;
}

export function ipv4(o: Ipv4Options): Buffer {
  const ihl = o.ihl ?? 5;
  const h = Buffer.alloc(Math.max(20, ihl * 4));
  h[0] = 0x40 | ihl;
  h.writeUInt16BE(o.totalLength ?? h.length + o.payload.length, 2);
  h.writeUInt16BE(0x1234, 4);
  h.writeUInt16BE((o.moreFragments ? 0x2000 : 0) | (o.fragmentOffset ?? 0), 6);
  h[8] = 64;
  h[9] = o.protocol;
  ipv4Bytes(o.src).copy(h, 12);
  ipv4Bytes(o.dst).copy(h, 16);
  return Buffer.concat([h, o.payload]);
}

export interface Ipv6Extension {
  type: number;
  /** Whole header including next-header and length bytes; the builder fills byte 0. */
  bytes: Buffer;
}

export function ipv6(src: string, dst: string, nextHeader: number, payload: Buffer, ext: Ipv6Extension[] = []): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  const exts = ext.map((e, i) => {
    const b = Buffer.from(e.bytes);
    b[0] = i + 1 < ext.length ? ext[i + 1].type : nextHeader;
    return b;
  });
  const body = Buffer.concat([...exts, payload]);
  h.writeUInt16BE(body.length, 4);
  h[6] = ext.length > 0 ? ext[0].type : nextHeader;
  h[7] = 64;
  ipv6Bytes(src).copy(h, 8);
  ipv6Bytes(dst).copy(h, 24);
  return Buffer.concat([h, body]);
}

/** Hop-by-hop options header of 8 bytes (PadN). */
export function hopByHop(): Ipv6Extension {
  return { type: 0, bytes: Buffer.from([0, 0, 1, 4, 0, 0, 0, 0]) };
}

/** Fragment header: offset in 8-byte units, M flag. */
export function fragmentHeader(offset: number, more: boolean): Ipv6Extension {
  const b = Buffer.alloc(8);
  b.writeUInt16BE((offset << 3) | (more ? 1 : 0), 2);
  b.writeUInt32BE(0xabcdef, 4);
  return { type: 44, bytes: b };
}

export function tcp(sport: number, dport: number, flags: number, payload: Buffer = Buffer.alloc(0), optionWords = 0): Buffer {
  const h = Buffer.alloc(20 + optionWords * 4);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(1000, 4);
  h[12] = (5 + optionWords) << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

export function udp(sport: number, dport: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function icmpEcho(payload: Buffer = Buffer.alloc(0), type = 8): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt16BE(7, 4);
  h.writeUInt16BE(1, 6);
  return Buffer.concat([h, payload]);
}

export function arpRequest(): Buffer {
  // htype 1, ptype IPv4, hlen 6, plen 4, request; sender MAC/IP, target MAC/IP.
  return Buffer.from(['0001', '0800', '06', '04', '0001', '020000000001', 'c0a80001', '000000000000', 'c0a80002'].join(''), 'hex');
}
