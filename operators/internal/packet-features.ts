/**
 * Small per-packet feature helpers shared by window, baseline and score: who the peer is, which port
 * is the service port, its class, the protocol index. Pure functions on numbers/strings, no allocation.
 */
import type { PacketEvent } from '../../schemas/types';

/** 32-bit FNV-1a of a string; never 0 (0 marks an empty slot in the bounded sets). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h === 0 ? 1 : h;
}

/** The other end of the conversation: the destination for egress (and unknown), the source for ingress. */
export function peerOf(p: PacketEvent): string {
  return p.direction === 'INGRESS' ? p.srcIp : p.dstIp;
}

/** The VM's own address in the packet. */
export function ownIpOf(p: PacketEvent): string {
  return p.direction === 'INGRESS' ? p.dstIp : p.srcIp;
}

/** Ports at or above this are treated as ephemeral (client side of a connection). */
export const EPHEMERAL_PORT_MIN = 32768;

/**
 * The service port of a packet: the well-known end of the flow. A reply from a server to a client's
 * ephemeral port has the client port as destination; counting that as "a new port" would flag every
 * connection, so the lower (non-ephemeral) port is taken when the other one is ephemeral, and a
 * well-known port when the other one is not.
 */
export function servicePort(p: PacketEvent): number {
  const d = p.dstPort;
  const s = p.srcPort;
  if (s <= 0) return d;
  // A well-known source port talking to an unprivileged one is a server's reply, whatever range the
  // client's stack picks its ports from (DNS clients randomise over 1024-65535).
  if (s < WELL_KNOWN_PORT_MAX && d >= WELL_KNOWN_PORT_MAX) return s;
  return d >= EPHEMERAL_PORT_MIN && s < EPHEMERAL_PORT_MIN ? s : d;
}

/** Ports below this are the well-known (system) ports: a service, never a client's ephemeral port. */
export const WELL_KNOWN_PORT_MAX = 1024;

/** Destination-port classes of the baseline's distribution, in index order. */
export const PORT_CLASSES = ['http', 'https', 'dns', 'ssh', 'smb', 'rdp', 'db', 'ephemeral', 'other'] as const;
export type PortClass = (typeof PORT_CLASSES)[number];
export const PORT_CLASS_COUNT = PORT_CLASSES.length;

/** Index into PORT_CLASSES of a service port. */
export function portClassIndex(port: number): number {
  switch (port) {
    case 80: case 8080: case 8000: case 8008: case 8888:
      return 0;
    case 443: case 8443:
      return 1;
    case 53: case 853: case 5353:
      return 2;
    case 22:
      return 3;
    case 445: case 139: case 137: case 138:
      return 4;
    case 3389:
      return 5;
    case 3306: case 5432: case 1433: case 1521: case 27017: case 6379: case 9042: case 5984: case 9200:
      return 6;
    default:
      return port >= EPHEMERAL_PORT_MIN ? 7 : 8;
  }
}

/** Protocol names of the mix, in index order (BaselineSnapshot.protocolMix keys). */
export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'other'] as const;
export const PROTOCOL_COUNT = PROTOCOLS.length;

export function protocolIndex(protocol: number): number {
  return protocol === 6 ? 0 : protocol === 17 ? 1 : protocol === 1 || protocol === 58 ? 2 : 3;
}

/** True for protocols that carry ports (so a "new port" means something). */
export function hasPorts(p: PacketEvent): boolean {
  return (p.protocol === 6 || p.protocol === 17) && !(p.fragment && p.srcPort === 0 && p.dstPort === 0);
}

/** Integer hash (murmur3 finalizer) so nearby port numbers spread over bitmaps and hash sets; never 0. */
export function hashInt(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 1 : h;
}

/**
 * True for an egress packet of a flow the VM opened (the VM is the client): a SYN it sends, or a
 * packet to the flow's service port. A server's replies to its clients are not outbound: new clients
 * connecting to a listening port are normal, a VM reaching out to new peers and ports is the signal.
 * ICMP is left out (an echo reply and an echo request look alike without the type).
 */
export function isOutbound(p: PacketEvent): boolean {
  if (p.direction !== 'EGRESS') return false;
  if (p.protocol === 6 && (p.tcpFlags & 0x12) === 0x02) return true;
  return hasPorts(p) && servicePort(p) === p.dstPort;
}

/**
 * True for a packet of a flow the VM opened, either way: what it sends to the service port (see
 * isOutbound) and the replies that come back from it.
 */
export function isOutboundFlow(p: PacketEvent): boolean {
  if (p.direction === 'EGRESS') return isOutbound(p);
  if (p.direction !== 'INGRESS' || !hasPorts(p)) return false;
  if (p.protocol === 6 && (p.tcpFlags & 0x12) === 0x02) return false;
  return servicePort(p) === p.srcPort;
}
