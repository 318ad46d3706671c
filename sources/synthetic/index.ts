/**
 * Deterministic synthetic traffic of a cloud region (VM profiles plus labelled attacks): a
 * PacketSource, a pcap writer for `prescient generate`, and the ground truth to score detectors.
 */
export {
  ATTACK_KINDS,
  type AttackKind,
  type AttackSpec,
  DEFAULT_START_US,
  defaultAttackPlan,
  parseSyntheticConfig,
  type SyntheticConfig,
  type SyntheticConfigInput,
  syntheticConfigSchema,
} from './config';
export { SyntheticConfigError } from './synthetic-config-error';
export { KNOWN_PEER_ATTACK_KINDS } from './attacks/attack-setup';
export { SyntheticSource, type SyntheticSourceOptions } from './synthetic-source';
export { generateToPcap, type GenerateOptions, type GenerateProgress, type GenerateResult } from './generate-to-pcap';
export { generateEvents, type GeneratedEvents } from './generate-events';
export { type AttackLabel, attackLabelOf, isAttackPacket, labelsToJsonl, parseLabelsJsonl } from './labels';
export { INVENTORY_HEADER, type InventoryEntry, inventoryCsv, inventoryEntries } from './inventory-csv';
export { SyntheticGenerator } from './generator';
export { PacketSpec } from './packet-spec';
export { PacketBuilder, SyntheticPacketError } from './packet-builder';
export { PROFILES, type Profile, type VmInfo } from './vm-info';
export type { Region } from './region';
