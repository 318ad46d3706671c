/**
 * Rebuilds an Ethernet frame from a stored PacketEvent, for pcap export: Ethernet / IPv4 or IPv6 /
 * TCP, UDP, ICMP or ICMPv6 headers from the event's fields, then the payload sample.
 *
 * Only the first N bytes of the payload are stored (the source's payloadSampleBytes): the frame carries
 * that sample and its wire length (pcap orig_len) is the event's size, so Wireshark shows it as a packet
 * cut by the capture's snap length. MAC addresses are not stored: fixed locally administered ones are
 * used. TCP/UDP checksums are left 0 (they cannot be computed without the whole payload; Wireshark does
 * not check them by default); the IPv4 header checksum is real. TCP options, not stored either, are
 * NOP padding of the original header length, so sizes and payload lengths re-read as stored.
 */
import type { PacketEvent } from '../../schemas/types';

const ETH = 14;
const SRC_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const DST_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

export class FrameBuildError extends Error {
  constructor(readonly anomalyId: string, message: string) {
    super(`anomaly ${anomalyId}: ${message}`);
    this.name = 'FrameBuildError';
  }
}

export interface BuiltFrame {
  frame: Buffer;
  /** Length on the wire (pcap orig_len). */
  origLen: number;
}

function l4HeaderLength(p: PacketEvent, ipHeader: number, nonFirstFragment: boolean): number {
  if (nonFirstFragment) return 0;
  if (p.protocol === 6) {
    // The original data offset, when the stored size says what it was; else a bare 20-byte header.
    const h = p.size - ETH - ipHeader - p.payloadLength;
    return h >= 20 && h <= 60 && h % 4 === 0 ? h : 20;
  }
  if (p.protocol === 17 || p.protocol === 1 || p.protocol === 58) return 8;
  return 0;
}

/** `id` names the record in errors. */
export function buildFrame(p: PacketEvent, id: string): BuiltFrame {
  const v6 = p.srcIp.includes(':');
  if (v6 !== p.dstIp.includes(':')) throw new FrameBuildError(id, `mixed address families ${p.srcIp} -> ${p.dstIp}`);
  const ipHeader = v6 ? 40 : 20;
  // A fragment without ports is a non-first fragment: no L4 header, its data is the payload.
  const nonFirstFragment = p.fragment && p.srcPort === 0 && p.dstPort === 0 && (p.protocol === 6 || p.protocol === 17);
  const l4 = l4HeaderLength(p, ipHeader, nonFirstFragment);
  const sample = p.payload ?? Buffer.alloc(0);
  const ipTotal = ipHeader + l4 + Math.max(p.payloadLength, sample.length);
  const frame = Buffer.alloc(ETH + ipHeader + l4 + sample.length);
  frame.set(DST_MAC, 0);
  frame.set(SRC_MAC, 6);
  frame.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  const ip = ETH;
  if (v6) {
    frame.writeUInt32BE(0x60000000, ip);
    frame.writeUInt16BE(Math.min(0xffff, ipTotal - 40), ip + 4);
    frame[ip + 6] = p.protocol;
    frame[ip + 7] = 64;
    writeIpv6(frame, ip + 8, p.srcIp, id);
    writeIpv6(frame, ip + 24, p.dstIp, id);
  } else {
    frame[ip] = 0x45;
    frame.writeUInt16BE(Math.min(0xffff, ipTotal), ip + 2);
    // Fragments: MF on a first fragment, offset 1480 bytes (185 * 8) on a later one.
    if (p.fragment) frame.writeUInt16BE(nonFirstFragment ? 185 : 0x2000, ip + 6);
    frame[ip + 8] = 64;
    frame[ip + 9] = p.protocol;
    writeIpv4(frame, ip + 12, p.srcIp, id);
    writeIpv4(frame, ip + 16, p.dstIp, id);
    frame.writeUInt16BE(ipv4Checksum(frame, ip), ip + 10);
  }
  const t = ip + ipHeader;
  if (l4 > 0) {
    if (p.protocol === 6) {
      frame.writeUInt16BE(p.srcPort, t);
      frame.writeUInt16BE(p.dstPort, t + 2);
      frame[t + 12] = (l4 / 4) << 4;
      frame[t + 13] = p.tcpFlags & 0xff;
      frame.writeUInt16BE(65535, t + 14);
      frame.fill(0x01, t + 20, t + l4);
    } else if (p.protocol === 17) {
      frame.writeUInt16BE(p.srcPort, t);
      frame.writeUInt16BE(p.dstPort, t + 2);
      frame.writeUInt16BE(Math.min(0xffff, 8 + Math.max(p.payloadLength, sample.length)), t + 4);
    } else {
      // ICMP / ICMPv6: echo request; type and code are not stored.
      frame[t] = p.protocol === 58 ? 128 : 8;
    }
  }
  frame.set(sample, t + l4);
  return { frame, origLen: Math.max(p.size, ETH + ipTotal, frame.length) };
}

function writeIpv4(b: Buffer, at: number, ip: string, id: string): void {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new FrameBuildError(id, `bad IPv4 address '${ip}'`);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new FrameBuildError(id, `bad IPv4 address '${ip}'`);
    b[at + i] = n;
  }
}

function writeIpv6(b: Buffer, at: number, ip: string, id: string): void {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new FrameBuildError(id, `bad IPv6 address '${ip}'`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new FrameBuildError(id, `bad IPv6 address '${ip}'`);
  const groups = [...head, ...new Array<string>(fill).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) {
    const n = parseInt(groups[i], 16);
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i]) || Number.isNaN(n)) throw new FrameBuildError(id, `bad IPv6 address '${ip}'`);
    b.writeUInt16BE(n, at + i * 2);
  }
}

function ipv4Checksum(b: Buffer, at: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(at + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
