/**
 * The L2-L4 fields of one frame. The decoder reuses one instance per source (no object per
 * packet); copy what you keep. Payload bytes are a range of `buf`, valid with the frame.
 */
import type { PacketAddresses } from '../net/packet-addresses';

export class DecodedPacket implements PacketAddresses {
  hasSrcMac = false;
  hasDstMac = false;
  srcMac = 0;
  dstMac = 0;
  ipVersion: 4 | 6 = 4;
  srcIp4 = 0;
  dstIp4 = 0;
  readonly srcIp6 = new Uint32Array(4);
  readonly dstIp6 = new Uint32Array(4);
  /** Upper-layer protocol (after IPv6 extension headers). */
  protocol = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  /** Any IP fragment; a non-first one has no L4 header (ports 0, payload = fragment data). */
  fragment = false;
  /** The frame's buffer and where the L4 payload starts in it. */
  buf: Buffer = Buffer.alloc(0);
  payloadOffset = 0;
  /** Payload bytes present in the capture (<= payloadLength). */
  payloadCaptured = 0;
  /** L4 payload length per the IP header (not limited by the snap length). */
  payloadLength = 0;
}
