/**
 * Address matching for the policy allow-list: exact IPv4/IPv6 addresses and CIDRs. Addresses become
 * BigInts (IPv4 32 bits, IPv6 128 bits); the allow-list is consulted only when an action would be taken,
 * never per packet, so clarity wins over speed here.
 */

export interface IpNet {
  v6: boolean;
  net: bigint;
  prefix: number;
}

export function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(s: string): bigint | null {
  let text = s;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.') && lastColon >= 0) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = halves.length === 2 ? [...head, ...new Array<string>(missing).fill('0'), ...tail] : head;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

/** Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address or IPv6 CIDR; null when it is none of them. */
export function parseIpNet(s: string): IpNet | null {
  const slash = s.indexOf('/');
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const v6 = addr.includes(':');
  const value = v6 ? parseIPv6(addr) : parseIPv4(addr);
  if (value === null) return null;
  const bits = v6 ? 128 : 32;
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return null;
    prefix = Number(p);
  }
  return { v6, net: value & maskOf(prefix, bits), prefix };
}

function maskOf(prefix: number, bits: number): bigint {
  if (prefix === 0) return 0n;
  return ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

/** True when `ip` (an address string) lies in `net`. */
export function ipInNet(ip: string, net: IpNet): boolean {
  const v6 = ip.includes(':');
  if (v6 !== net.v6) return false;
  const value = v6 ? parseIPv6(ip) : parseIPv4(ip);
  if (value === null) return false;
  return (value & maskOf(net.prefix, v6 ? 128 : 32)) === net.net;
}

/** True when the entry is meant as an address or CIDR (so it must parse as one) rather than a vmId. */
export function looksLikeIp(s: string): boolean {
  return /^[\d.]+(\/\d+)?$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:.%]+(\/\d+)?$/.test(s));
}
