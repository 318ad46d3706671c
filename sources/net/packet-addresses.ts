/**
 * The addresses of a decoded packet, as the inventory needs them to attribute it to a VM.
 * A structural interface so the inventory does not depend on the decoder.
 */
export interface PacketAddresses {
  /** False where the link has no such MAC (raw IP; SLL has the source only). */
  readonly hasSrcMac: boolean;
  readonly hasDstMac: boolean;
  /** 48-bit MACs as numbers; meaningless when the matching `has...` is false. */
  readonly srcMac: number;
  readonly dstMac: number;
  readonly ipVersion: 4 | 6;
  /** IPv4 addresses as uint32 (when ipVersion is 4). */
  readonly srcIp4: number;
  readonly dstIp4: number;
  /** IPv6 addresses as four big-endian words (when ipVersion is 6). */
  readonly srcIp6: Uint32Array;
  readonly dstIp6: Uint32Array;
}
