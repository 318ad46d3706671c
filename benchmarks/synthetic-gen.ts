/**
 * Synthetic generator throughput: PacketEvents/s through SyntheticSource.batches() (what
 * `prescient run --synthetic` and the throughput benchmark consume), and frames/s when building
 * Ethernet frames too (the `prescient generate` path, without the disk write). Not a test: prints.
 *
 *   npx tsc -p . && node dist/benchmarks/synthetic-gen.js [packets=1500000] [--attacks]
 */
import { defaultAttackPlan, SyntheticGenerator, SyntheticSource } from '../sources/synthetic';
import { PacketBuilder } from '../sources/synthetic/packet-builder';
import { PacketSpec } from '../sources/synthetic/packet-spec';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const packets = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_500_000);
  const config = {
    seed: 1,
    vmCount: 200,
    accounts: 10,
    vnetsPerAccount: 4,
    durationSec: 300,
    rateScale: 2,
    attacks: args.includes('--attacks') ? defaultAttackPlan(300) : [],
  };

  let t0 = process.hrtime.bigint();
  const src = new SyntheticSource(config, { batchSize: 4096, maxPackets: packets });
  const setupMs = ms(t0);
  t0 = process.hrtime.bigint();
  let n = 0;
  let bytes = 0;
  for await (const batch of src.batches()) {
    n += batch.length;
    for (const e of batch) bytes += e.size;
  }
  const evMs = ms(t0);

  const g = new SyntheticGenerator(config);
  const spec = new PacketSpec();
  const builder = new PacketBuilder(g.config.payloadSampleBytes);
  t0 = process.hrtime.bigint();
  let f = 0;
  while (f < packets && g.next(spec)) {
    builder.build(spec, true);
    f++;
  }
  const frMs = ms(t0);

  console.log(`synthetic generator: ${config.vmCount} VMs, rateScale ${config.rateScale}, setup ${setupMs.toFixed(0)} ms`);
  console.log(`  events:          ${n} in ${evMs.toFixed(0)} ms = ${Math.round(n / (evMs / 1000)).toLocaleString('en-US')} events/s (${(bytes / n).toFixed(0)} B avg)`);
  console.log(`  events + frames: ${f} in ${frMs.toFixed(0)} ms = ${Math.round(f / (frMs / 1000)).toLocaleString('en-US')} packets/s`);
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
