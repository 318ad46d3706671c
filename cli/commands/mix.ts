/** `prescient mix`: a real attack capture mixed into benign traffic as a compromised VM. */
import { ATTACK_KINDS, type AttackKind } from '../../sources';
import { mixCapture, MixError, type MixResult } from '../../evaluation';
import { BadArgumentError } from '../errors';

export interface MixCommandOptions {
  benign: string;
  benignInventory: string;
  benignLabels?: string;
  attack: string;
  vm: string;
  atSec?: number;
  attacker?: string;
  maxGapSec?: number;
  kind?: string;
  out: string;
}

export function mixCommand(o: MixCommandOptions): MixResult {
  if (o.kind !== undefined && !(ATTACK_KINDS as readonly string[]).includes(o.kind)) {
    throw new BadArgumentError(`--kind: unknown attack kind '${o.kind}' (known: ${ATTACK_KINDS.join(', ')})`);
  }
  try {
    return mixCapture({
      benign: o.benign,
      benignInventory: o.benignInventory,
      benignLabels: o.benignLabels,
      attack: o.attack,
      vmId: o.vm,
      atSec: o.atSec,
      attacker: o.attacker,
      maxGapSec: o.maxGapSec,
      kind: o.kind as AttackKind | undefined,
      out: o.out,
    });
  } catch (e) {
    if (e instanceof MixError) throw new BadArgumentError(e.message);
    throw e;
  }
}

export function formatMixResult(r: MixResult): string {
  const l = r.label;
  return [
    `${r.attackPackets} attack packets (attacker ${r.attacker} -> ${l.vmId}) + ${r.benignPackets.toLocaleString('en-US')} benign packets -> ${r.pcapPath}`,
    `attack window ${((l.endUs - l.startUs) / 1e6).toFixed(1)} s (capture span ${r.originalSpanSec.toFixed(1)} s), peers ${(l.peerIps ?? []).join(', ')}, known peer: ${l.knownPeer}`,
    ...(r.attackFramesDropped > 0 ? [`left out ${r.attackFramesDropped} attack-capture frames (not IPv4, or not to/from the attacker)`] : []),
    `labels -> ${r.labelsPath}`,
    `inventory -> ${r.inventoryPath}`,
  ].join('\n');
}
