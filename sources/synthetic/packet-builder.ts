/**
 * Turns a PacketSpec into the PacketEvent a pcap decoder would produce and, on request, the
 * Ethernet frame itself. Both come from the same lengths in one function so they cannot drift.
 */
import type { Direction, PacketEvent } from '../../schemas/types';
import type { PacketSpec } from './packet-spec';

const ETH = 14;
const IP = 20;
const TCP_SYN_HDR = 24; // 20 + the MSS option, as on real SYNs
const TCP_HDR = 20;
const UDP_HDR = 8;
const ICMP_HDR = 8;
const SYN = 0x02;
const ACK = 0x10;
const MSS = 1460;
const MAX_FRAME = ETH + IP + 60 + 65535;

export class SyntheticPacketError extends Error {
  constructor(
    readonly tsUs: number,
    readonly detail: string,
  ) {
    super(`synthetic packet at ${tsUs} us: ${detail}`);
    this.name = 'SyntheticPacketError';
  }
}

export class PacketBuilder {
  /** The last frame built (valid up to frameLength until the next build). */
  readonly frame = Buffer.alloc(MAX_FRAME);
  frameLength = 0;
  private readonly empty = Buffer.alloc(0);

  constructor(readonly sampleBytes: number) {}

  /** Builds the event for `s`; writes its frame into `this.frame` too when `withFrame`. */
  build(s: PacketSpec, withFrame: boolean): PacketEvent {
    const proto = s.proto;
    const l4Hdr = proto === 6 ? ((s.flags & SYN) !== 0 ? TCP_SYN_HDR : TCP_HDR) : proto === 17 ? UDP_HDR : ICMP_HDR;
    const ipLen = IP + l4Hdr + s.payloadLen;
    const size = ETH + ipLen;
    if (ipLen > 65535) throw new SyntheticPacketError(s.tsUs, `IP length ${ipLen} over 65535`);
    if (s.payloadOff + s.payloadLen > s.payloadBuf.length) throw new SyntheticPacketError(s.tsUs, 'payload beyond its buffer');
    const src = s.src;
    const dst = s.dst;
    const vm = src.vm !== null ? src.vm : dst.vm;
    if (vm === null) throw new SyntheticPacketError(s.tsUs, `neither ${src.ip} nor ${dst.ip} is a VM`);
    const direction: Direction = src.vm !== null ? 'EGRESS' : 'INGRESS';
    const sample = s.payloadLen < this.sampleBytes ? s.payloadLen : this.sampleBytes;
    const ported = proto === 6 || proto === 17;

    if (withFrame) {
      const f = this.frame;
      // Next hop: the peer's own MAC inside one vnet, else the vnet gateway on the VM's side.
      const sameVnet = src.vm !== null && dst.vm !== null && src.vm.vnetGlobal === dst.vm.vnetGlobal;
      (dst.vm !== null && (sameVnet || src.vm === null) ? dst.mac : (src.vm as NonNullable<typeof src.vm>).gatewayMac).copy(f, 0);
      (src.vm !== null ? src.mac : vm.gatewayMac).copy(f, 6);
      f.writeUInt16BE(0x0800, 12);
      let o = ETH;
      f[o] = 0x45;
      f[o + 1] = 0;
      f.writeUInt16BE(ipLen, o + 2);
      f.writeUInt16BE(s.ipId & 0xffff, o + 4);
      f.writeUInt16BE(proto === 6 ? 0x4000 : 0, o + 6);
      f[o + 8] = s.ttl;
      f[o + 9] = proto;
      f.writeUInt16BE(0, o + 10);
      f.writeUInt32BE(src.ipNum, o + 12);
      f.writeUInt32BE(dst.ipNum, o + 16);
      f.writeUInt16BE(ipChecksum(f, o), o + 10);
      o += IP;
      if (proto === 6) {
        f.writeUInt16BE(s.srcPort, o);
        f.writeUInt16BE(s.dstPort, o + 2);
        f.writeUInt32BE(s.seq >>> 0, o + 4);
        f.writeUInt32BE((s.flags & ACK) !== 0 ? s.ack >>> 0 : 0, o + 8);
        f[o + 12] = (l4Hdr / 4) << 4;
        f[o + 13] = s.flags;
        f.writeUInt16BE(64240, o + 14);
        f.writeUInt32BE(0, o + 16); // checksum 0 (allowed here), urgent pointer 0
        if (l4Hdr === TCP_SYN_HDR) {
          f[o + 20] = 2;
          f[o + 21] = 4;
          f.writeUInt16BE(MSS, o + 22);
        }
      } else if (proto === 17) {
        f.writeUInt16BE(s.srcPort, o);
        f.writeUInt16BE(s.dstPort, o + 2);
        f.writeUInt16BE(UDP_HDR + s.payloadLen, o + 4);
        f.writeUInt16BE(0, o + 6);
      } else {
        f[o] = s.flags;
        f[o + 1] = 0;
        f.writeUInt16BE(0, o + 2);
        f.writeUInt16BE(s.icmpId, o + 4);
        f.writeUInt16BE(s.icmpSeq, o + 6);
      }
      o += l4Hdr;
      s.payloadBuf.copy(f, o, s.payloadOff, s.payloadOff + s.payloadLen);
      this.frameLength = size;
    }

    return {
      tsUs: s.tsUs,
      vmId: vm.id,
      accountId: vm.accountId,
      vnetId: vm.vnetId,
      srcIp: src.ip,
      dstIp: dst.ip,
      srcPort: ported ? s.srcPort : 0,
      dstPort: ported ? s.dstPort : 0,
      protocol: proto,
      size,
      tcpFlags: proto === 6 ? s.flags : 0,
      direction,
      fragment: false,
      payloadLength: s.payloadLen,
      payload: sample === 0 ? this.empty : s.payloadBuf.subarray(s.payloadOff, s.payloadOff + sample),
    };
  }
}

function ipChecksum(b: Buffer, o: number): number {
  let sum = 0;
  for (let i = 0; i < IP; i += 2) sum += (b[o + i] << 8) | b[o + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
