/**
 * `prescient generate`: writes capture.pcap (Ethernet frames built by hand), labels.jsonl and
 * inventory.csv into a directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PcapWriter } from '../pcap/pcap-writer';
import type { SyntheticConfig, SyntheticConfigInput } from './config';
import { SyntheticGenerator } from './generator';
import { inventoryCsv } from './inventory-csv';
import { type AttackLabel, labelsToJsonl } from './labels';
import { PacketBuilder } from './packet-builder';
import { PacketSpec } from './packet-spec';

export interface GenerateProgress {
  packets: number;
  bytes: number;
  /** Share of the run's time span written (0..1). */
  fraction: number;
}

export interface GenerateOptions {
  onProgress?: (p: GenerateProgress) => void;
  /** Packets between progress calls (default 50 000). */
  progressEvery?: number;
}

export interface GenerateResult {
  pcapPath: string;
  labelsPath: string;
  inventoryPath: string;
  packets: number;
  bytes: number;
  labels: AttackLabel[];
}

export async function generateToPcap(
  config: SyntheticConfigInput | SyntheticConfig,
  outDir: string,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const g = new SyntheticGenerator(config);
  mkdirSync(outDir, { recursive: true });
  const pcapPath = join(outDir, 'capture.pcap');
  const labelsPath = join(outDir, 'labels.jsonl');
  const inventoryPath = join(outDir, 'inventory.csv');
  writeFileSync(inventoryPath, inventoryCsv(g.region));
  writeFileSync(labelsPath, labelsToJsonl(g.labels));
  const every = Math.max(1, options.progressEvery ?? 50_000);
  const writer = new PcapWriter(pcapPath);
  const spec = new PacketSpec();
  const builder = new PacketBuilder(g.config.payloadSampleBytes);
  let packets = 0;
  let bytes = 0;
  try {
    while (g.next(spec)) {
      builder.build(spec, true);
      writer.write(spec.tsUs, builder.frame.subarray(0, builder.frameLength));
      packets++;
      bytes += builder.frameLength;
      if (packets % every === 0) {
        options.onProgress?.({ packets, bytes, fraction: g.progress });
        // Let timers and progress rendering run between slices of a long generation.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    writer.close();
  }
  options.onProgress?.({ packets, bytes, fraction: 1 });
  return { pcapPath, labelsPath, inventoryPath, packets, bytes, labels: g.labels };
}
