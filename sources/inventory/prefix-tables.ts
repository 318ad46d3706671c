/**
 * Longest-prefix match tables. IPv4: one Map per prefix length, tried from the longest (few
 * distinct lengths in practice, each an O(1) lookup on a number). IPv6: exact addresses hashed
 * by their last word, prefixes as a list sorted longest first (inventories hold few of those).
 */
import type { VmRef } from './vm-ref';

export function ipv4Mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export class Ipv4PrefixTable {
  private readonly byLength = new Map<number, Map<number, VmRef>>();
  private lengths: number[] = [];

  /** Adds `net/len` (host bits already clear); returns the VM already there, if any. */
  add(net: number, len: number, vm: VmRef): VmRef | undefined {
    let t = this.byLength.get(len);
    if (t === undefined) {
      t = new Map();
      this.byLength.set(len, t);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    }
    const old = t.get(net);
    if (old === undefined) t.set(net, vm);
    return old;
  }

  lookup(ip: number): VmRef | undefined {
    const lengths = this.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const vm = this.byLength.get(lengths[i])!.get((ip & ipv4Mask(lengths[i])) >>> 0);
      if (vm !== undefined) return vm;
    }
    return undefined;
  }
}

interface Ipv6Entry {
  readonly w: Uint32Array;
  /** Prefix length; 128 for an exact address. */
  readonly len: number;
  readonly mask: Uint32Array;
  readonly vm: VmRef;
}

function mask6(len: number): Uint32Array {
  const m = new Uint32Array(4);
  for (let i = 0; i < 4; i++) m[i] = ipv4Mask(Math.max(0, Math.min(32, len - 32 * i)));
  return m;
}

export class Ipv6PrefixTable {
  private readonly exact = new Map<number, Ipv6Entry[]>();
  private readonly prefixes: Ipv6Entry[] = [];

  /** Adds `net/len` (host bits already clear); returns the VM already there, if any. */
  add(net: Uint32Array, len: number, vm: VmRef): VmRef | undefined {
    const e: Ipv6Entry = { w: Uint32Array.from(net), len, mask: mask6(len), vm };
    if (len === 128) {
      const bucket = this.exact.get(net[3]) ?? [];
      const old = bucket.find((x) => same(x.w, net));
      if (old) return old.vm;
      bucket.push(e);
      this.exact.set(net[3], bucket);
      return undefined;
    }
    const old = this.prefixes.find((x) => x.len === len && same(x.w, net));
    if (old) return old.vm;
    this.prefixes.push(e);
    this.prefixes.sort((a, b) => b.len - a.len);
    return undefined;
  }

  lookup(ip: Uint32Array): VmRef | undefined {
    const bucket = this.exact.get(ip[3]);
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) if (same(bucket[i].w, ip)) return bucket[i].vm;
    }
    const ps = this.prefixes;
    for (let i = 0; i < ps.length; i++) {
      const { w, mask } = ps[i];
      if (((ip[0] & mask[0]) >>> 0) === w[0] && ((ip[1] & mask[1]) >>> 0) === w[1] &&
          ((ip[2] & mask[2]) >>> 0) === w[2] && ((ip[3] & mask[3]) >>> 0) === w[3]) return ps[i].vm;
    }
    return undefined;
  }
}

function same(a: Uint32Array, b: Uint32Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
