/**
 * IPv4 / IPv6 text <-> number conversions shared by the decoder and the inventory.
 * IPv4 is a uint32; IPv6 is four uint32 words (big-endian order), so lookups need no strings.
 */

/** Parses dotted-quad IPv4; returns the address as a uint32, or -1 when `s` is not one. */
export function parseIpv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) return -1;
  let n = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return -1;
    const v = Number(p);
    if (v > 255) return -1;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Parses an IPv6 address (RFC 4291 text forms: `::`, embedded IPv4 tail) into `out` (4 words).
 * Returns false when `s` is not one. Zone ids (`%eth0`) are refused: an inventory names global addresses.
 */
export function parseIpv6(s: string, out: Uint32Array): boolean {
  if (s.length < 2 || s.length > 45 || s.includes('%')) return false;
  const groups: number[] = [];
  let tail = s;
  // An embedded IPv4 tail stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  let v4 = -1;
  if (s.indexOf('.', lastColon) !== -1) {
    v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 < 0) return false;
    tail = s.slice(0, lastColon + 1);
    // Drop the colon before the IPv4 tail, unless it is half of a `::` (as in `::1.2.3.4`).
    if (!tail.endsWith('::')) tail = tail.slice(0, -1);
  }
  const dbl = tail.indexOf('::');
  if (dbl !== tail.lastIndexOf('::')) return false;
  const want = v4 >= 0 ? 6 : 8;
  const parseList = (t: string): number[] | null => {
    if (t === '') return [];
    const r: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      r.push(parseInt(g, 16));
    }
    return r;
  };
  if (dbl >= 0) {
    const head = parseList(tail.slice(0, dbl));
    const rest = parseList(tail.slice(dbl + 2));
    if (!head || !rest || head.length + rest.length > want - 1) return false;
    groups.push(...head);
    for (let i = head.length + rest.length; i < want; i++) groups.push(0);
    groups.push(...rest);
  } else {
    const all = parseList(tail);
    if (!all || all.length !== want) return false;
    groups.push(...all);
  }
  if (v4 >= 0) groups.push(v4 >>> 16, v4 & 0xffff);
  for (let i = 0; i < 4; i++) out[i] = ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0;
  return true;
}

/** RFC 5952 canonical text: lower case, longest run (>= 2) of zero groups shortened to `::`. */
export function formatIpv6(w: Uint32Array): string {
  const g = [
    w[0] >>> 16, w[0] & 0xffff, w[1] >>> 16, w[1] & 0xffff,
    w[2] >>> 16, w[2] & 0xffff, w[3] >>> 16, w[3] & 0xffff,
  ];
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/**
 * Caches IPv4 strings: a capture repeats few addresses, and the PacketEvent needs a string per
 * packet. Bounded: cleared when full, so a scan of a /8 cannot grow it without limit.
 */
export class Ipv4TextCache {
  private readonly map = new Map<number, string>();
  constructor(private readonly maxEntries = 1 << 16) {}

  text(n: number): string {
    let s = this.map.get(n);
    if (s === undefined) {
      if (this.map.size >= this.maxEntries) this.map.clear();
      s = formatIpv4(n);
      this.map.set(n, s);
    }
    return s;
  }
}
