/**
 * Reads a VM inventory CSV (format in sources/README.md): `kind,value,vmId,accountId,vnetId`
 * with kind mac | ip | cidr. Plain CSV without quoting: values never contain commas.
 */
import { readFileSync } from 'node:fs';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../net/ip-address';
import { parseMac } from '../net/mac-address';
import { ipv4Mask } from './prefix-tables';
import { InventoryParseError } from './inventory-parse-error';
import { VmInventory } from './vm-inventory';
import type { VmRef } from './vm-ref';

const COLUMNS = ['kind', 'value', 'vmId', 'accountId', 'vnetId'] as const;

export function loadInventoryFile(path: string): VmInventory {
  return parseInventory(readFileSync(path, 'utf8'), path);
}

/** `file` names the source in errors. Throws InventoryParseError on the first bad line. */
export function parseInventory(text: string, file: string): VmInventory {
  const lines = text.split(/\r?\n/);
  let cols: number[] | null = null;
  const vms = new Map<string, { vm: VmRef; line: number }>();
  const inv = new VmInventory();
  const w6 = new Uint32Array(4);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(',').map((f) => f.trim());
    const fail = (reason: string): never => { throw new InventoryParseError(file, lineNo, reason); };
    if (cols === null) {
      cols = COLUMNS.map((c) => fields.indexOf(c));
      const missing = COLUMNS.filter((_, k) => cols![k] < 0);
      if (missing.length > 0 || fields.length !== COLUMNS.length) {
        fail(`bad header '${line}': expected the columns ${COLUMNS.join(',')}`);
      }
      continue;
    }
    if (fields.length !== COLUMNS.length) fail(`wrong column count: ${fields.length} (expected ${COLUMNS.length})`);
    const [kind, value, vmId, accountId, vnetId] = cols.map((k) => fields[k]);
    if (vmId === '' || accountId === '' || vnetId === '') fail('vmId, accountId and vnetId must not be empty');
    const known = vms.get(vmId);
    if (known && (known.vm.accountId !== accountId || known.vm.vnetId !== vnetId)) {
      fail(`VM ${vmId} is in ${accountId}/${vnetId} here but in ${known.vm.accountId}/${known.vm.vnetId} on line ${known.line}`);
    }
    // One frozen VmRef per VM: attribution hands out shared objects.
    const vm = known?.vm ?? Object.freeze({ vmId, accountId, vnetId });
    if (!known) vms.set(vmId, { vm, line: lineNo });
    let old: VmRef | undefined;
    let canonical: string;
    if (kind === 'mac') {
      const mac = parseMac(value);
      if (mac < 0) fail(`bad MAC '${value}'`);
      old = inv.addMac(mac, vm);
      canonical = value.toLowerCase();
    } else if (kind === 'ip') {
      const v4 = parseIpv4(value);
      if (v4 >= 0) {
        old = inv.addIpv4(v4, 32, vm);
        canonical = formatIpv4(v4);
      } else if (parseIpv6(value, w6)) {
        old = inv.addIpv6(w6, 128, vm);
        canonical = formatIpv6(w6);
      } else return fail(`bad IP '${value}'`);
    } else if (kind === 'cidr') {
      const m = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
      if (!m) return fail(`bad CIDR '${value}': expected address/prefix-length`);
      const len = Number(m[2]);
      const v4 = parseIpv4(m[1]);
      if (v4 >= 0) {
        if (len > 32) fail(`bad CIDR '${value}': prefix length ${len} above 32`);
        const net = (v4 & ipv4Mask(len)) >>> 0;
        if (net !== v4) fail(`bad CIDR '${value}': host bits set (did you mean ${formatIpv4(net)}/${len}?)`);
        old = inv.addIpv4(net, len, vm);
      } else if (parseIpv6(m[1], w6)) {
        if (len > 128) fail(`bad CIDR '${value}': prefix length ${len} above 128`);
        const net = Uint32Array.from(w6, (x, k) => (x & ipv4Mask(Math.max(0, Math.min(32, len - 32 * k)))) >>> 0);
        if (net.some((x, k) => x !== w6[k])) fail(`bad CIDR '${value}': host bits set (did you mean ${formatIpv6(net)}/${len}?)`);
        old = inv.addIpv6(net, len, vm);
      } else return fail(`bad CIDR '${value}': '${m[1]}' is not an IP address`);
      canonical = value;
    } else {
      return fail(`unknown kind '${kind}' (expected mac, ip or cidr)`);
    }
    if (old !== undefined && old !== vm) {
      fail(`duplicate ${kind} ${canonical}: already mapped to ${old.vmId}, here to ${vmId}`);
    }
  }
  if (cols === null) throw new InventoryParseError(file, 0, `no header line (expected ${COLUMNS.join(',')})`);
  inv.description = `inventory ${file} (${inv.size} entries, ${vms.size} VMs)`;
  return inv;
}
