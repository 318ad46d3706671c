/** `prescient run`: one topology on the embedded runtime, outputs as JSON lines, a summary at the end. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger, defaultTopologyPath, loadTopologyFile, planTopology, runTopology, type RunStats } from '../../topology';
import { FanOutSink, JsonLinesSink, SummarySink, attachForensicSinks, formatSummary, type StreamSink } from '../../sinks';
import { PcapSource } from '../../sources';
import { createSource, type SourceOverrides } from '../source-factory';
import { tapSource } from '../tap-source';
import { LiveStatus } from '../live-status';
import { ExitCode } from '../exit-codes';
import { startCliTelemetry, stopCliTelemetry, type TelemetryCliOptions } from '../telemetry-options';
import { attachEnforcer, type RunEnforcerOptions } from './run-enforcer';

export interface RunCommandOptions extends SourceOverrides, TelemetryCliOptions, RunEnforcerOptions {
  topology?: string;
  out: string;
  quiet?: boolean;
  /** False (`--no-store`): no local forensic store (<out>/forensics.db). */
  store?: boolean;
  /** Forensic store retention and incident gap, microseconds (defaults: the store's, 30 days and 5 minutes). */
  retentionUs?: number;
  incidentGapUs?: number;
}

export interface RunOutcome {
  exitCode: number;
  stats: RunStats;
  summaryPath: string;
}

export async function runCommand(opts: RunCommandOptions): Promise<RunOutcome> {
  const file = opts.topology ?? defaultTopologyPath();
  const topology = loadTopologyFile(file);
  const plan = planTopology(topology);
  const source = createSource(topology.source, opts, dirname(resolve(file)));
  const log = createLogger({ level: opts.quiet ? 'warn' : undefined });

  const summary = new SummarySink();
  // `--out -` streams the JSON lines to stdout and keeps the human summary on stderr.
  const toStdout = opts.out === '-';
  const outDir = toStdout ? '-' : resolve(opts.out);
  if (!toStdout) mkdirSync(outDir, { recursive: true });
  const streams = topology.sinks.map((s) => s.stream);
  const files = new JsonLinesSink({ dir: outDir, streams });
  const sinks: Record<string, StreamSink> = {};
  for (const stream of new Set([...streams, 'anomalies', 'mitigations'])) {
    sinks[stream] = streams.includes(stream) ? new FanOutSink([files, summary]) : summary;
  }
  // Embedded mode keeps every anomaly in the local forensic store (unless --no-store) and writes EVE alerts.
  const forensic = toStdout ? null : attachForensicSinks(sinks, outDir, { store: opts.store !== false, storeOptions: { onWarning: (m) => log.warn(m), retentionUs: opts.retentionUs, incidentGapUs: opts.incidentGapUs } });

  // `--enforcer`: decisions are enforced in-process as they come (no BullMQ).
  const enforcement = await attachEnforcer(sinks, opts, log);
  log.info({ topology: topology.name, file, source: source.description, partitions: plan.partitions, operators: plan.topology.operators.map((o) => o.name), out: outDir }, 'run starting');
  const live = new LiveStatus((top) => summary.summary(top), Boolean(process.stderr.isTTY) && !opts.quiet);
  const telemetry = await startCliTelemetry(opts, log);
  live.start();
  let stats: RunStats;
  try {
    telemetry.setReady(true);
    stats = await runTopology(plan, {
      source: tapSource(source, (b) => summary.countPackets(b)),
      sinks,
      logger: log,
      closeSinks: false,
      telemetry,
    });
  } finally {
    live.stop();
    await stopCliTelemetry(telemetry);
  }
  await files.close();
  await forensic?.close();
  await enforcement?.close();

  const result = summary.summary();
  const srcStats = source.stats();
  const cutShort = source instanceof PcapSource ? source.lastError : null;
  const summaryPath = toStdout ? '-' : join(outDir, 'summary.json');
  const report = JSON.stringify({ topology: topology.name, source: source.description, sourceStats: srcStats, inputError: cutShort?.message ?? null, run: stats, ...result }, null, 2);
  if (!toStdout) writeFileSync(summaryPath, report);
  if (!opts.quiet) {
    const human = toStdout ? process.stderr : process.stdout;
    human.write(formatSummary(result, stats.wallMs) + '\n');
    if (!toStdout) human.write(`outputs in ${outDir} (${streams.map((s) => `${s}.jsonl`).join(', ')}, summary.json)\n`);
  }
  if (cutShort) {
    process.stderr.write(`warning: input cut short: ${cutShort.message}; results cover the ${result.packets} packets read before it\n`);
    return { exitCode: ExitCode.PARTIAL_INPUT, stats, summaryPath };
  }
  return { exitCode: ExitCode.OK, stats, summaryPath };
}
