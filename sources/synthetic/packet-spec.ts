/** The description of one packet, filled by the generator and read by the packet builder (reused). */
import type { Endpoint } from './endpoint';

export class PacketSpec {
  tsUs = 0;
  src: Endpoint = null as unknown as Endpoint;
  dst: Endpoint = null as unknown as Endpoint;
  proto = 6;
  srcPort = 0;
  dstPort = 0;
  /** TCP flags; for ICMP the ICMP type. */
  flags = 0;
  seq = 0;
  ack = 0;
  ipId = 0;
  ttl = 64;
  /** ICMP echo identifier and sequence number (ports are 0 for ICMP). */
  icmpId = 0;
  icmpSeq = 0;
  payloadBuf: Buffer = Buffer.alloc(0);
  payloadOff = 0;
  payloadLen = 0;
  /** Index of the attack this packet belongs to, -1 for normal traffic (the generator's ground truth). */
  attack = -1;
}
