/** LINKTYPE_ values (tcpdump.org/linktypes.html) the decoder understands. */
export const LinkType = {
  /** BSD loopback: 4-byte address family in host byte order. */
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
