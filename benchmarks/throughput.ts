/**
 * Embedded throughput through the whole chain, in one process, on a synthetic capture of >= 1M packets.
 * Side by side in one run:
 *   source-only   pcap read + decode + inventory lookup, nothing else (the floor of any run)
 *   full-chain    the same capture through each topology (log -> tasks -> every operator): by default
 *                 topology/without-model.yaml and topology/default.yaml (the same chain plus the LSTM's
 *                 `predict`), so the model's cost is measured beside the chain without it, in the same run
 * Writes benchmarks/results/throughput-<date>.{json,md}.
 *
 *   npm run build && npm run bench:throughput -- [--packets 1000000] [--topology FILE[,FILE...]] [--repeat 2] [--limit N] [--tag NAME]
 * (--limit reads only the first N packets of the capture: quicker runs on a busy machine.)
 * (bench:throughput runs node with a 128 MiB young-generation semi-space, as the `prescient` bin does:
 * the chain makes short-lived per-packet objects, and a small nursery spent 10-30 % of the time in GC.)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { generateToPcap, PcapSource } from '../sources';
import { defaultTopologyPath, loadTopologyFile, planTopology, runTopology, silentLogger } from '../topology';
import type { StreamSink } from '../sinks';
import type { PacketEvent } from '../schemas/types';
import type { PacketSource } from '../sources/source';
import { arg, CountingSink, ensureCapture } from './bench-capture';

interface Row {
  name: string;
  packets: number;
  wallMs: number;
  packetsPerSec: number;
  /** CPU time of the process (user + system, all threads) during the run. */
  cpuMs: number;
  /** packets / CPU seconds: on a machine shared with other work this moves far less than wall time. */
  packetsPerCpuSec: number;
}

/** Wall and CPU time of one run, so a figure from a busy machine can be read both ways. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}




/** The first `limit` packets of a source (all of them when limit is Infinity). */
function limited(src: PacketSource, limit: number): PacketSource {
  if (!Number.isFinite(limit)) return src;
  return {
    description: `${src.description} (first ${limit} packets)`,
    async *batches(): AsyncIterable<PacketEvent[]> {
      let seen = 0;
      for await (const b of src.batches()) {
        if (seen >= limit) break;
        const take = b.length <= limit - seen ? b : b.slice(0, limit - seen);
        seen += take.length;
        yield take;
      }
    },
    stats: () => src.stats(),
    close: src.close?.bind(src),
  };
}

async function sourceOnly(pcap: string, inventory: string, limit: number): Promise<Row> {
  const src = limited(new PcapSource({ path: pcap, inventory }), limit);
  const { value: n, wallMs, cpuMs } = await timed(async () => {
    let k = 0;
    for await (const b of src.batches()) k += b.length;
    return k;
  });
  return { name: 'source-only (read+decode)', packets: n, wallMs, packetsPerSec: (n / wallMs) * 1000, cpuMs, packetsPerCpuSec: (n / cpuMs) * 1000 };
}

async function fullChain(pcap: string, inventory: string, topologyFile: string, limit: number): Promise<Row & { outputs: number }> {
  const topology = loadTopologyFile(topologyFile);
  const plan = planTopology(topology);
  const sink = new CountingSink();
  const sinks: Record<string, StreamSink> = { anomalies: sink, mitigations: sink, forensics: sink, windows: sink };
  const { value: stats, wallMs, cpuMs } = await timed(() => runTopology(plan, { source: limited(new PcapSource({ path: pcap, inventory }), limit), sinks, logger: silentLogger() }));
  const n = stats.packetsIn;
  return { name: `full chain (${topology.operators.map((o) => o.name).join('>')})`, packets: n, wallMs, packetsPerSec: (n / wallMs) * 1000, cpuMs, packetsPerCpuSec: (n / cpuMs) * 1000, outputs: sink.count };
}

async function main(): Promise<void> {
  const packets = Number(arg('packets', '1000000'));
  const repeat = Number(arg('repeat', '2'));
  const limit = Number(arg('limit', 'Infinity'));
  const withoutModel = resolve(__dirname, '..', '..', 'topology', 'without-model.yaml');
  const topologyFiles = arg('topology', `${withoutModel},${defaultTopologyPath()}`).split(',').map((f) => resolve(f));
  const resultsDir = resolve(__dirname, '..', '..', 'benchmarks', 'results');
  const { pcap, inventory } = await ensureCapture(join(resultsDir, 'tmp', `capture-${packets}`), packets);
  const rows: Row[] = [];
  for (let i = 0; i < repeat; i++) {
    process.stderr.write(`run ${i + 1}/${repeat}: source only ...\n`);
    rows.push(await sourceOnly(pcap, inventory, limit));
    for (const topologyFile of topologyFiles) {
      process.stderr.write(`run ${i + 1}/${repeat}: full chain ${topologyFile} ...\n`);
      rows.push(await fullChain(pcap, inventory, topologyFile, limit));
    }
  }
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, nodeFlags: process.execArgv.join(' ') || '(none)' };
  const date = new Date().toISOString();
  const report = { benchmark: 'throughput', date, machine, topologies: topologyFiles, capture: pcap, limit: Number.isFinite(limit) ? limit : null, rows };
  mkdirSync(resultsDir, { recursive: true });
  const tag = arg('tag', '');
  const stem = join(resultsDir, `throughput-${date.slice(0, 10)}${tag === '' ? '' : `-${tag}`}${process.execArgv.length > 0 ? '' : '-default-gc'}`);
  writeFileSync(`${stem}.json`, JSON.stringify(report, null, 2));
  const md = [
    `# Embedded throughput, ${date}`,
    '',
    `${machine.cpus} x ${machine.cpuModel}, ${machine.memGiB} GiB, Node ${machine.node}, node flags ${machine.nodeFlags}. Capture: ${pcap}${Number.isFinite(limit) ? ` (first ${limit} packets)` : ''}. Topologies: ${topologyFiles.join(', ')}.`,
    '',
    '| run | packets | wall ms | packets/s | CPU ms | packets per CPU-s |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.packets} | ${r.wallMs.toFixed(0)} | ${Math.round(r.packetsPerSec).toLocaleString('en-US')} | ${r.cpuMs.toFixed(0)} | ${Math.round(r.packetsPerCpuSec).toLocaleString('en-US')} |`),
    '',
  ].join('\n');
  writeFileSync(`${stem}.md`, md);
  process.stdout.write(md + `\nwritten ${stem}.json and .md\n`);
}

main().catch((err) => {
  process.stderr.write(`throughput benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
