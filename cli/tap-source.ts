/** Wraps a PacketSource so the CLI sees every batch (for per-VM counts) without a second pass. */
import type { PacketEvent } from '../schemas/types';
import type { PacketSource, SourceStats } from '../sources';

export function tapSource(source: PacketSource, onBatch: (batch: readonly PacketEvent[]) => void): PacketSource {
  return {
    description: source.description,
    async *batches(): AsyncIterable<PacketEvent[]> {
      for await (const batch of source.batches()) {
        onBatch(batch);
        yield batch;
      }
    },
    stats: (): SourceStats => source.stats(),
    close: source.close ? (): Promise<void> => source.close!() : undefined,
  };
}
