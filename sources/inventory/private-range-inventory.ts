/**
 * The inventory used when none is given: every private address (10/8, 172.16/12, 192.168/16,
 * fc00::/7) is a VM "vm-<addr>" in account "default" and vnet "<a.b.c>.0/24" (IPv6: "<first 64
 * bits>::/64"); everything else is external. Public captures then yield one VM per lab host,
 * and an attack from outside lands on the VM it targets.
 */
import { formatIpv4, formatIpv6 } from '../net/ip-address';
import type { PacketAddresses } from '../net/packet-addresses';
import type { Attribution, VmRef, VmResolver } from './vm-ref';

/** Past this many VMs the caches restart, so a scan of a /8 cannot grow them without bound. */
const MAX_CACHED = 1 << 20;

export function isPrivateIpv4(ip: number): boolean {
  return ip >>> 24 === 10 || ip >>> 20 === 0xac1 || ip >>> 16 === 0xc0a8;
}

export function isPrivateIpv6(w: Uint32Array): boolean {
  return w[0] >>> 25 === 0x7e;
}

export class PrivateRangeInventory implements VmResolver {
  readonly description = 'default inventory (each private address is a VM)';
  private readonly v4 = new Map<number, VmRef>();
  private readonly v6 = new Map<string, VmRef>();
  private readonly net64 = new Uint32Array(4);

  attribute(p: PacketAddresses, out: Attribution): boolean {
    if (p.ipVersion === 4) {
      if (isPrivateIpv4(p.srcIp4)) return this.set(out, this.vm4(p.srcIp4), 'EGRESS');
      if (isPrivateIpv4(p.dstIp4)) return this.set(out, this.vm4(p.dstIp4), 'INGRESS');
      return false;
    }
    if (isPrivateIpv6(p.srcIp6)) return this.set(out, this.vm6(p.srcIp6), 'EGRESS');
    if (isPrivateIpv6(p.dstIp6)) return this.set(out, this.vm6(p.dstIp6), 'INGRESS');
    return false;
  }

  private set(out: Attribution, vm: VmRef, direction: 'EGRESS' | 'INGRESS'): true {
    out.vm = vm;
    out.direction = direction;
    return true;
  }

  private vm4(ip: number): VmRef {
    let vm = this.v4.get(ip);
    if (vm === undefined) {
      if (this.v4.size >= MAX_CACHED) this.v4.clear();
      vm = Object.freeze({ vmId: `vm-${formatIpv4(ip)}`, accountId: 'default', vnetId: `${formatIpv4((ip & 0xffffff00) >>> 0)}/24` });
      this.v4.set(ip, vm);
    }
    return vm;
  }

  private vm6(ip: Uint32Array): VmRef {
    const text = formatIpv6(ip);
    let vm = this.v6.get(text);
    if (vm === undefined) {
      if (this.v6.size >= MAX_CACHED) this.v6.clear();
      const n = this.net64;
      n[0] = ip[0];
      n[1] = ip[1];
      vm = Object.freeze({ vmId: `vm-${text}`, accountId: 'default', vnetId: `${formatIpv6(n)}/64` });
      this.v6.set(text, vm);
    }
    return vm;
  }
}
