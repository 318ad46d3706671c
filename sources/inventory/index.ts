/** VM inventories: which VM a packet belongs to, and in which direction it crossed the vNIC. */
export { InventoryParseError } from './inventory-parse-error';
export { Attribution, UNMAPPED_VM, type VmRef, type VmResolver } from './vm-ref';
export { VmInventory } from './vm-inventory';
export { parseInventory, loadInventoryFile } from './parse-inventory';
export { PrivateRangeInventory, isPrivateIpv4, isPrivateIpv6 } from './private-range-inventory';
