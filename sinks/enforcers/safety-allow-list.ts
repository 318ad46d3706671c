/**
 * VMs and CIDRs an enforcer never acts on (management hosts, resolvers, the control plane), whatever the
 * policy says: a second line of defence behind the mitigate operator's own allow-list.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { EnforcerConfigError } from './enforcer-errors';
import type { VmAddresses } from './vm-addresses';

export class SafetyAllowList {
  private readonly vmIds = new Set<string>();
  private readonly nets = new BlockList();
  readonly entries: readonly string[];

  /** Entries are VM ids, IP addresses or CIDRs; `source` names where they came from in errors. */
  constructor(entries: readonly string[], source = '--allow-list') {
    this.entries = entries;
    entries.forEach((raw, i) => {
      const e = raw.trim();
      if (e === '') return;
      const [addr, len] = e.split('/');
      const type = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null;
      if (type === null) {
        if (e.includes('/')) throw new EnforcerConfigError(`${source}[${i}]`, `'${e}' is neither a VM id nor a CIDR`);
        this.vmIds.add(e);
        return;
      }
      const max = type === 'ipv4' ? 32 : 128;
      const n = len === undefined ? max : Number(len);
      if (!Number.isInteger(n) || n < 0 || n > max) throw new EnforcerConfigError(`${source}[${i}]`, `bad prefix length in '${e}'`);
      this.nets.addSubnet(addr, n, type);
    });
  }

  /** Parses a comma-separated list (the CLI form). */
  static parse(list: string | undefined, source = '--allow-list'): SafetyAllowList {
    return new SafetyAllowList(list === undefined ? [] : list.split(',').map((s) => s.trim()).filter((s) => s !== ''), source);
  }

  /** The entry that protects this VM (by id, or one of its addresses inside a listed CIDR), or null. */
  protects(vmId: string, addrs: VmAddresses | undefined): string | null {
    if (this.vmIds.has(vmId)) return vmId;
    for (const cidr of [...(addrs?.ip4 ?? []), ...(addrs?.ip6 ?? [])]) {
      const addr = cidr.split('/')[0];
      if (this.nets.check(addr, isIPv4(addr) ? 'ipv4' : 'ipv6')) return cidr;
    }
    return null;
  }
}
