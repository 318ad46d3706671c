/** Address helpers shared by the decoder and the inventory. */
export { parseIpv4, formatIpv4, parseIpv6, formatIpv6, Ipv4TextCache } from './ip-address';
export { parseMac, formatMac, readMac } from './mac-address';
export type { PacketAddresses } from './packet-addresses';
