/** Why a frame was not turned into a packet. The values are the keys of SourceStats.skipped. */
export const SkipReason = {
  /** ARP, LLDP, 802.3/LLC, MPLS, ...: not an IPv4 or IPv6 packet. */
  NON_IP: 'non-ip',
  /** A link type the decoder does not know. */
  UNSUPPORTED_LINK: 'unsupported-link-type',
  /** The captured bytes end inside a header the decoder needs (snap length, or a cut frame). */
  TRUNCATED: 'truncated',
  /** IP header fields that contradict each other (version, header length, total length, ext headers). */
  MALFORMED_IP: 'malformed-ip',
  /** TCP/UDP/ICMP header that does not fit what the IP header says. */
  MALFORMED_L4: 'malformed-l4',
  /** Neither end is a known VM and the inventory's fallback is 'drop'. */
  UNMAPPED: 'unmapped',
} as const;

export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
