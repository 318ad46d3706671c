/** The PacketEvents platformatic-produce.ts sends, so the suite knows what to expect. */
import type { PacketEvent } from '../../../schemas/types';
import { packetEvent } from '../../unit/schemas/sample-records';

export function samplePacket(i: number): PacketEvent {
  return { ...packetEvent, vmId: `vm-${i % 13}`, tsUs: packetEvent.tsUs + i, size: 60 + (i % 1400) };
}
