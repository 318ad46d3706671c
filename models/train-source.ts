/**
 * Training input from any PacketSource (pcap file, synthetic generator, ...): streams its
 * batches into per-VM feature sequences without keeping the packets.
 */
import type { PacketSource } from '../sources/source';
import { SequenceBuilder, VmSequence } from './features';

export interface CollectOptions {
  /** Stop reading after this many packets. */
  maxPackets?: number;
  maxPerVm?: number;
  onBatch?: (packetsRead: number) => void;
}

export async function collectSequences(source: PacketSource, options: CollectOptions = {}): Promise<VmSequence[]> {
  const builder = new SequenceBuilder(options.maxPerVm);
  const max = options.maxPackets ?? Number.POSITIVE_INFINITY;
  let read = 0;
  for await (const batch of source.batches()) {
    for (const p of batch) {
      if (read >= max) break;
      builder.add(p);
      read++;
    }
    options.onBatch?.(read);
    if (read >= max) break;
  }
  return builder.sequences();
}
