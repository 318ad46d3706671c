/**
 * The whole run in memory with the generator's own ground truth per packet: for tests, model
 * training and evaluation on runs small enough to hold (a few million packets).
 */
import type { PacketEvent } from '../../schemas/types';
import type { SyntheticConfig, SyntheticConfigInput } from './config';
import { SyntheticGenerator } from './generator';
import type { AttackLabel } from './labels';
import { PacketBuilder } from './packet-builder';
import { PacketSpec } from './packet-spec';

export interface GeneratedEvents {
  events: PacketEvent[];
  /** attack[i] is the index into `labels` of the attack events[i] belongs to, or -1. */
  attack: Int32Array;
  labels: AttackLabel[];
}

export function generateEvents(config: SyntheticConfigInput | SyntheticConfig, maxPackets = Number.POSITIVE_INFINITY): GeneratedEvents {
  const g = new SyntheticGenerator(config);
  const spec = new PacketSpec();
  const builder = new PacketBuilder(g.config.payloadSampleBytes);
  const events: PacketEvent[] = [];
  let attack = new Int32Array(1 << 16);
  while (events.length < maxPackets && g.next(spec)) {
    if (events.length === attack.length) {
      const a = new Int32Array(attack.length * 2);
      a.set(attack);
      attack = a;
    }
    attack[events.length] = spec.attack;
    events.push(builder.build(spec, false));
  }
  return { events, attack: attack.slice(0, events.length), labels: g.labels };
}
