/**
 * vmId -> the VM's addresses (IPv4/IPv6 addresses and CIDRs, vNIC MACs), read from the same inventory
 * CSV as sources/inventory (`kind,value,vmId,accountId,vnetId`). The sources' inventory answers the
 * other question (address -> VM) for the hot path; enforcers need this direction, once per decision.
 */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { EnforcerConfigError } from './enforcer-errors';

export interface VmAddresses {
  /** Addresses or CIDRs (`10.0.0.0/24`), as nft writes them. */
  ip4: string[];
  ip6: string[];
  /** Lower-case `aa:bb:cc:dd:ee:ff`. */
  mac: string[];
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export class VmAddressBook {
  private readonly byVm = new Map<string, VmAddresses>();

  constructor(readonly description = 'addresses') {}

  static fromInventoryFile(path: string): VmAddressBook {
    return VmAddressBook.fromInventoryCsv(readFileSync(path, 'utf8'), path);
  }

  /** `file` names the source in errors. Checks each value; the sources' parser checks the rest. */
  static fromInventoryCsv(text: string, file: string): VmAddressBook {
    const book = new VmAddressBook(`inventory ${file}`);
    let cols: Record<string, number> | null = null;
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const f = line.split(',').map((x) => x.trim());
      if (cols === null) {
        cols = Object.fromEntries(f.map((name, k) => [name, k]));
        if (cols.kind === undefined || cols.value === undefined || cols.vmId === undefined) {
          throw new EnforcerConfigError(`${file}:${i + 1}`, `bad header '${line}': expected kind,value,vmId,accountId,vnetId`);
        }
        return;
      }
      const kind = f[cols.kind];
      const value = f[cols.value];
      const vmId = f[cols.vmId];
      try {
        book.add(vmId, kind, value);
      } catch (e) {
        throw new EnforcerConfigError(`${file}:${i + 1}`, (e as Error).message);
      }
    });
    return book;
  }

  /** kind: ip | cidr | mac (the inventory's kinds). */
  add(vmId: string, kind: string, value: string): void {
    if (vmId === undefined || vmId === '') throw new Error('empty vmId');
    const a = this.byVm.get(vmId) ?? { ip4: [], ip6: [], mac: [] };
    if (kind === 'mac') {
      const mac = value.toLowerCase().replace(/-/g, ':');
      if (!MAC.test(mac)) throw new Error(`bad MAC '${value}'`);
      a.mac.push(mac);
    } else if (kind === 'ip' || kind === 'cidr') {
      const [addr, len] = value.split('/');
      const bits = isIPv4(addr) ? 32 : isIPv6(addr) ? 128 : 0;
      if (bits === 0) throw new Error(`bad ${kind} '${value}'`);
      if (len !== undefined && !(/^[0-9]{1,3}$/.test(len) && Number(len) <= bits)) throw new Error(`bad prefix length in '${value}'`);
      (bits === 32 ? a.ip4 : a.ip6).push(value);
    } else {
      throw new Error(`unknown kind '${kind}' (expected mac, ip or cidr)`);
    }
    this.byVm.set(vmId, a);
  }

  get(vmId: string): VmAddresses | undefined {
    return this.byVm.get(vmId);
  }

  vmIds(): string[] {
    return [...this.byVm.keys()];
  }
}
