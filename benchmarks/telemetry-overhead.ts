/**
 * What telemetry costs: the same capture through the full default chain with telemetry off and on
 * (metrics served on a port and scraped every few seconds, traces at the default sampling written
 * to a file), interleaved off/on/on/off... in one process so drift and warm-up hit both alike.
 * Target (issue 6): on within 5 % of off. Writes benchmarks/results/telemetry-overhead-<date>.{json,md}.
 *
 *   npm run build && node --max-semi-space-size=128 dist/benchmarks/telemetry-overhead.js [--packets 1000000] [--repeat 3] [--trace-sample 0.001]
 * Uses the capture benchmarks/throughput.ts made (benchmarks/results/tmp/capture-<packets>), generating it if missing.
 */
import { get as httpGet } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { generateToPcap, PcapSource } from '../sources';
import { defaultTopologyPath, loadTopologyFile, planTopology, runTopology, silentLogger } from '../topology';
import type { StreamSink } from '../sinks';
import { arg, CountingSink, ensureCapture } from './bench-capture';
import { setBatchObserver } from '../models';
import { DEFAULT_TRACE_SAMPLE, NOOP_TELEMETRY, startTelemetry, type Telemetry } from '../telemetry';

interface Row {
  mode: 'off' | 'on';
  round: number;
  packets: number;
  wallMs: number;
  packetsPerSec: number;
  /** Process CPU time (user + system, all threads) of the run, and packets per CPU second. */
  cpuMs: number;
  packetsPerCpuSec: number;
  scrapes: number;
  spans: number;
}




async function once(mode: 'off' | 'on', round: number, pcap: string, inventory: string, topologyFile: string, traceFile: string, traceSample: number): Promise<Row> {
  const plan = planTopology(loadTopologyFile(topologyFile));
  const sink = new CountingSink();
  const sinks: Record<string, StreamSink> = { anomalies: sink, mitigations: sink, forensics: sink, windows: sink };
  let telemetry: Telemetry = NOOP_TELEMETRY;
  let scrapes = 0;
  let scraper: NodeJS.Timeout | undefined;
  if (mode === 'on') {
    telemetry = await startTelemetry({ metricsPort: 0, metricsHost: '127.0.0.1', traceFile, traceSample });
    const m = telemetry.metrics;
    setBatchObserver({ onBatch: (rows, waitUs) => m.recordBatch(rows, waitUs) });
    // Prometheus scrapes every 15 s by default; every 2 s here, so the scrape cost shows.
    const port = telemetry.metricsPort as number;
    scraper = setInterval(() => {
      void scrapeOnce(port).then(() => scrapes++);
    }, 2000);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stats = await runTopology(plan, { source: new PcapSource({ path: pcap, inventory }), sinks, logger: silentLogger(), telemetry });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  clearInterval(scraper);
  let spans = 0;
  if (mode === 'on') {
    const last = await scrapeOnce(telemetry.metricsPort as number);
    scrapes++;
    const count = /^prescient_packet_latency_seconds_count\S* (\d+)/m.exec(last);
    if (count === null || Number(count[1]) !== stats.packetsIn) throw new Error(`latency count ${count?.[1]} != packets ${stats.packetsIn}: telemetry did not see the run`);
    setBatchObserver(undefined);
    await telemetry.shutdown();
    spans = statSync(traceFile).size > 0 ? readFileSync(traceFile, 'utf8').split('\n').filter((l) => l.includes('"name":"packet"')).length : 0;
  }
  return { mode, round, packets: stats.packetsIn, wallMs, packetsPerSec: (stats.packetsIn / wallMs) * 1000, cpuMs, packetsPerCpuSec: (stats.packetsIn / cpuMs) * 1000, scrapes, spans };
}

/** GET /metrics with node:http (lighter than fetch: the scraper is not what is measured); resolves with the body. */
function scrapeOnce(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const packets = Number(arg('packets', '1000000'));
  const repeat = Number(arg('repeat', '3'));
  const traceSample = Number(arg('trace-sample', String(DEFAULT_TRACE_SAMPLE)));
  const topologyFile = resolve(arg('topology', defaultTopologyPath()));
  const resultsDir = resolve(__dirname, '..', '..', 'benchmarks', 'results');
  const { pcap, inventory } = await ensureCapture(join(resultsDir, 'tmp', `capture-${packets}`), packets);
  const work = mkdtempSync(join(tmpdir(), 'prescient-telemetry-overhead-'));
  const rows: Row[] = [];
  try {
    // A warm-up run of each mode (JIT, page cache), not reported.
    process.stderr.write('warm-up ...\n');
    await once('off', 0, pcap, inventory, topologyFile, join(work, 'warm.jsonl'), traceSample);
    await once('on', 0, pcap, inventory, topologyFile, join(work, 'warm.jsonl'), traceSample);
    for (let i = 1; i <= repeat; i++) {
      // ABBA order: neither mode always runs first in a pair.
      const order: Array<'off' | 'on'> = i % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order) {
        process.stderr.write(`round ${i}/${repeat}: telemetry ${mode} ...\n`);
        const r = await once(mode, i, pcap, inventory, topologyFile, join(work, `traces-${i}.jsonl`), traceSample);
        process.stderr.write(`  ${Math.round(r.packetsPerSec).toLocaleString('en-US')} packets/s\n`);
        rows.push(r);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const off = median(rows.filter((r) => r.mode === 'off').map((r) => r.packetsPerSec));
  const on = median(rows.filter((r) => r.mode === 'on').map((r) => r.packetsPerSec));
  const ratio = on / off;
  // On a machine shared with other work, wall time swings with their load; CPU time much less.
  const offCpu = median(rows.filter((r) => r.mode === 'off').map((r) => r.packetsPerCpuSec));
  const onCpu = median(rows.filter((r) => r.mode === 'on').map((r) => r.packetsPerCpuSec));
  const cpuRatio = onCpu / offCpu;
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, nodeFlags: process.execArgv.join(' ') || '(none)' };
  const date = new Date().toISOString();
  const report = { benchmark: 'telemetry-overhead', date, machine, topology: topologyFile, capture: pcap, traceSample, medianPacketsPerSec: { off, on }, ratio, medianPacketsPerCpuSec: { off: offCpu, on: onCpu }, cpuRatio, withinTarget: ratio >= 0.95, rows };
  mkdirSync(resultsDir, { recursive: true });
  const stem = join(resultsDir, `telemetry-overhead-${date.slice(0, 10)}`);
  writeFileSync(`${stem}.json`, JSON.stringify(report, null, 2));
  const md = [
    `# Telemetry overhead, ${date}`,
    '',
    `${machine.cpus} x ${machine.cpuModel}, ${machine.memGiB} GiB, Node ${machine.node}, node flags ${machine.nodeFlags}. Capture: ${pcap}. Topology: ${topologyFile}.`,
    `On = metrics (Prometheus endpoint, scraped every 2 s) + traces at sample ratio ${traceSample} to a JSON-lines file. Off = no telemetry.`,
    '',
    '| round | telemetry | packets | wall ms | packets/s | CPU ms | packets/CPU-s | scrapes | packet spans |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.round} | ${r.mode} | ${r.packets} | ${r.wallMs.toFixed(0)} | ${Math.round(r.packetsPerSec).toLocaleString('en-US')} | ${r.cpuMs.toFixed(0)} | ${Math.round(r.packetsPerCpuSec).toLocaleString('en-US')} | ${r.scrapes} | ${r.spans} |`),
    '',
    `Median packets/s: off ${Math.round(off).toLocaleString('en-US')}, on ${Math.round(on).toLocaleString('en-US')}; on/off = ${ratio.toFixed(3)} (target >= 0.95: ${ratio >= 0.95 ? 'met' : 'NOT met'}).`,
    `Median packets per CPU second: off ${Math.round(offCpu).toLocaleString('en-US')}, on ${Math.round(onCpu).toLocaleString('en-US')}; on/off = ${cpuRatio.toFixed(3)}.`,
    '',
  ].join('\n');
  writeFileSync(`${stem}.md`, md);
  process.stdout.write(md + `\nwritten ${stem}.json and .md\n`);
}

main().catch((err) => {
  process.stderr.write(`telemetry overhead benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
