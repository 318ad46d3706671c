/**
 * The generator as a PacketSource: `prescient run --synthetic` and the throughput benchmark.
 * Batches are built synchronously (one Promise per batch, none per packet).
 */
import type { PacketEvent } from '../../schemas/types';
import type { PacketSource, SourceStats } from '../source';
import type { SyntheticConfig, SyntheticConfigInput } from './config';
import { SyntheticGenerator } from './generator';
import { type InventoryEntry, inventoryEntries } from './inventory-csv';
import type { AttackLabel } from './labels';
import { PacketBuilder } from './packet-builder';
import { PacketSpec } from './packet-spec';

export interface SyntheticSourceOptions {
  /** Packets per batch (default 1024). */
  batchSize?: number;
  /** Stop after this many packets (default: the whole run). */
  maxPackets?: number;
}

export class SyntheticSource implements PacketSource {
  readonly description: string;
  readonly config: SyntheticConfig;
  private generator: SyntheticGenerator | null;
  private packets = 0;
  private closed = false;
  private readonly batchSize: number;
  private readonly maxPackets: number;
  private readonly attackLabels: AttackLabel[];
  private readonly entries: InventoryEntry[];

  constructor(config: SyntheticConfigInput | SyntheticConfig, options: SyntheticSourceOptions = {}) {
    const g = new SyntheticGenerator(config);
    this.generator = g;
    this.config = g.config;
    this.attackLabels = g.labels;
    this.entries = inventoryEntries(g.region);
    this.batchSize = Math.max(1, options.batchSize ?? 1024);
    this.maxPackets = options.maxPackets ?? Number.POSITIVE_INFINITY;
    const c = g.config;
    this.description = `synthetic seed=${c.seed} vms=${c.vmCount} duration=${c.durationSec}s attacks=${c.attacks.length}`;
  }

  /** Packets in timestamp order. Each call replays the run from its start (same packets). */
  async *batches(): AsyncIterable<PacketEvent[]> {
    const g = this.generator ?? new SyntheticGenerator(this.config);
    this.generator = null;
    this.packets = 0;
    const spec = new PacketSpec();
    const builder = new PacketBuilder(this.config.payloadSampleBytes);
    while (!this.closed && this.packets < this.maxPackets) {
      const n = Math.min(this.batchSize, this.maxPackets - this.packets);
      const batch: PacketEvent[] = [];
      while (batch.length < n && g.next(spec)) batch.push(builder.build(spec, false));
      if (batch.length === 0) return;
      this.packets += batch.length;
      yield batch;
    }
  }

  stats(): SourceStats {
    return { packets: this.packets, skipped: {} };
  }

  /** One label per configured attack, complete before the first batch. */
  labels(): AttackLabel[] {
    return this.attackLabels;
  }

  /** The VMs' MAC and IP rows (what inventory.csv holds). */
  inventory(): InventoryEntry[] {
    return this.entries;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
