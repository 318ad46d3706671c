/** A VM's own addresses and placement, read from an inventory CSV (the format sources/inventory parses). */
import { readFileSync } from 'node:fs';
import { parseIpv4, parseMac } from '../../sources/net';
import { MixError } from './mix-error';

export interface VmAddress {
  vmId: string;
  accountId: string;
  vnetId: string;
  ip: string;
  ip4: number;
  mac: Uint8Array;
}

export function macBytes(mac: number): Uint8Array {
  const b = new Uint8Array(6);
  for (let i = 5, m = mac; i >= 0; i--, m = Math.floor(m / 256)) b[i] = m % 256;
  return b;
}

/** Every IPv4 `ip` row of the inventory (any VM), to check that no attack peer is a VM. */
export function inventoryIps(text: string): Set<string> {
  const out = new Set<string>();
  for (const row of rows(text, 'inventory')) if (row.kind === 'ip') out.add(row.value);
  return out;
}

export function loadVmAddress(inventoryFile: string, vmId: string): VmAddress {
  const text = readFileSync(inventoryFile, 'utf8');
  let ip: string | undefined;
  let mac: number | undefined;
  let place: { accountId: string; vnetId: string } | undefined;
  for (const row of rows(text, inventoryFile)) {
    if (row.vmId !== vmId) continue;
    place = { accountId: row.accountId, vnetId: row.vnetId };
    if (row.kind === 'ip' && ip === undefined && parseIpv4(row.value) >= 0) ip = row.value;
    if (row.kind === 'mac' && mac === undefined) mac = parseMac(row.value);
  }
  if (place === undefined) throw new MixError(inventoryFile, `no VM '${vmId}' in the inventory`);
  if (ip === undefined) throw new MixError(inventoryFile, `VM '${vmId}' has no IPv4 'ip' row`);
  if (mac === undefined || mac < 0) throw new MixError(inventoryFile, `VM '${vmId}' has no 'mac' row`);
  return { vmId, ...place, ip, ip4: parseIpv4(ip), mac: macBytes(mac) };
}

interface Row { kind: string; value: string; vmId: string; accountId: string; vnetId: string }

function rows(text: string, file: string): Row[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new MixError(file, 'empty inventory');
  const header = lines[0].split(',').map((f) => f.trim());
  const col = (name: string): number => {
    const k = header.indexOf(name);
    if (k < 0) throw new MixError(file, `inventory header lacks the column '${name}'`);
    return k;
  };
  const [k, v, vm, acc, vnet] = ['kind', 'value', 'vmId', 'accountId', 'vnetId'].map(col);
  return lines.slice(1).map((l) => {
    const f = l.split(',').map((x) => x.trim());
    return { kind: f[k], value: f[v], vmId: f[vm], accountId: f[acc], vnetId: f[vnet] };
  });
}
