/**
 * A VM inventory: vNIC MACs, IPs and CIDRs mapped to VMs. Attribution prefers the sender
 * (EGRESS), then the receiver (INGRESS); on each side a MAC match wins over an IP match, because
 * a compromised VM can spoof its source IP but not its vNIC.
 */
import type { PacketAddresses } from '../net/packet-addresses';
import { Ipv4PrefixTable, Ipv6PrefixTable } from './prefix-tables';
import type { Attribution, VmRef, VmResolver } from './vm-ref';

export class VmInventory implements VmResolver {
  private readonly macs = new Map<number, VmRef>();
  private readonly ip4 = new Ipv4PrefixTable();
  private readonly ip6 = new Ipv6PrefixTable();
  /** Entries added (MACs, IPs and CIDRs). */
  size = 0;

  constructor(public description = 'inventory') {}

  /** Each add returns the VM already mapped to that exact entry, if any (the caller decides if that is a conflict). */
  addMac(mac: number, vm: VmRef): VmRef | undefined {
    const old = this.macs.get(mac);
    if (old === undefined) { this.macs.set(mac, vm); this.size++; }
    return old;
  }

  /** IPv4 `net/len` (32 for one address). Host bits must be clear. */
  addIpv4(net: number, len: number, vm: VmRef): VmRef | undefined {
    const old = this.ip4.add(net, len, vm);
    if (old === undefined) this.size++;
    return old;
  }

  /** IPv6 `net/len` (128 for one address). Host bits must be clear. */
  addIpv6(net: Uint32Array, len: number, vm: VmRef): VmRef | undefined {
    const old = this.ip6.add(net, len, vm);
    if (old === undefined) this.size++;
    return old;
  }

  lookupMac(mac: number): VmRef | undefined {
    return this.macs.get(mac);
  }

  lookupIpv4(ip: number): VmRef | undefined {
    return this.ip4.lookup(ip);
  }

  lookupIpv6(ip: Uint32Array): VmRef | undefined {
    return this.ip6.lookup(ip);
  }

  attribute(p: PacketAddresses, out: Attribution): boolean {
    let vm = (p.hasSrcMac ? this.macs.get(p.srcMac) : undefined) ??
      (p.ipVersion === 4 ? this.ip4.lookup(p.srcIp4) : this.ip6.lookup(p.srcIp6));
    if (vm !== undefined) {
      out.vm = vm;
      out.direction = 'EGRESS';
      return true;
    }
    vm = (p.hasDstMac ? this.macs.get(p.dstMac) : undefined) ??
      (p.ipVersion === 4 ? this.ip4.lookup(p.dstIp4) : this.ip6.lookup(p.dstIp6));
    if (vm !== undefined) {
      out.vm = vm;
      out.direction = 'INGRESS';
      return true;
    }
    return false;
  }
}
