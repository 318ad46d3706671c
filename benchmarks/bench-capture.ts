/**
 * What the throughput benchmarks share: the synthetic capture they all read (same seed, VMs, attacks
 * and directory, generated once and reused), a sink that only counts, and `--name value` arguments.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToPcap } from '../sources';
import type { StreamSink } from '../sinks';
import { demoAttackPlan } from '../cli/source-factory';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

export class CountingSink implements StreamSink {
  count = 0;
  write(): void {
    this.count++;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** The capture of >= minPackets packets in `dir`, generated (with progress) unless already there. */
export async function ensureCapture(dir: string, minPackets: number): Promise<{ pcap: string; inventory: string }> {
  const pcap = join(dir, 'capture.pcap');
  const inventory = join(dir, 'inventory.csv');
  const marker = join(dir, `packets-${minPackets}`);
  if (existsSync(pcap) && existsSync(marker)) return { pcap, inventory };
  mkdirSync(dir, { recursive: true });
  // 200 VMs at 2x rate give ~9.4k packets/s of traffic time, so 115 s per million; attacks as in the demo.
  const durationSec = Math.ceil((115 * minPackets) / 1_000_000);
  process.stderr.write(`generating a synthetic capture of >= ${minPackets} packets in ${dir} ...\n`);
  const r = await generateToPcap({ seed: 7, vmCount: 200, accounts: 10, vnetsPerAccount: 4, durationSec, rateScale: 2, attacks: demoAttackPlan(durationSec) }, dir, {
    onProgress: (p) => process.stderr.write(`\r  ${(p.fraction * 100).toFixed(0)}% ${p.packets} packets`),
  });
  process.stderr.write('\n');
  if (r.packets < minPackets) throw new Error(`generated only ${r.packets} packets (< ${minPackets}); raise the duration`);
  writeFileSync(marker, String(r.packets));
  return { pcap, inventory };
}
