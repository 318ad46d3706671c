/** The region's VM inventory as the CSV sources/inventory/ parses: one mac row and one ip row per VM. */
import { formatMac } from './endpoint';
import type { Region } from './region';

export const INVENTORY_HEADER = 'kind,value,vmId,accountId,vnetId';

export interface InventoryEntry {
  kind: 'mac' | 'ip';
  value: string;
  vmId: string;
  accountId: string;
  vnetId: string;
}

export function inventoryEntries(region: Region): InventoryEntry[] {
  const out: InventoryEntry[] = [];
  for (const vm of region.vms) {
    const base = { vmId: vm.id, accountId: vm.accountId, vnetId: vm.vnetId };
    out.push({ kind: 'mac', value: formatMac(vm.endpoint.mac), ...base }, { kind: 'ip', value: vm.endpoint.ip, ...base });
  }
  return out;
}

export function inventoryCsv(region: Region): string {
  const rows = inventoryEntries(region).map((e) => `${e.kind},${e.value},${e.vmId},${e.accountId},${e.vnetId}`);
  return `${INVENTORY_HEADER}\n${rows.join('\n')}\n`;
}
