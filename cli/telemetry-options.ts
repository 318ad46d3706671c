/**
 * `--metrics-port`, `--trace-sample`, `--trace-file` for `prescient run` and `prescient worker`:
 * the option definitions, and starting/stopping the telemetry they ask for (including the
 * micro-batcher's batch-size and wait-time hook).
 */
import { InvalidArgumentError, Option } from 'commander';
import { setBatchObserver } from '../models';
import { DEFAULT_TRACE_SAMPLE, MetricsPortError, startTelemetry, TraceFileError, type Telemetry } from '../telemetry';
import type { RuntimeLogger } from '../topology';
import { BadArgumentError } from './errors';

export interface TelemetryCliOptions {
  metricsPort?: number;
  traceSample?: number;
  traceFile?: string;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--metrics-port must be a port number 0..65535, got '${v}'`);
  return n;
}

function ratio(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`--trace-sample must be a ratio within [0, 1] (e.g. 0.001), got '${v}'`);
  return n;
}

export function metricsPortOption(): Option {
  return new Option('--metrics-port <n>', 'serve Prometheus /metrics, /healthz and /readyz on this port').argParser(port);
}

export function traceSampleOption(): Option {
  return new Option('--trace-sample <ratio>', `share of packets traced, with --trace-file (default ${DEFAULT_TRACE_SAMPLE})`).argParser(ratio);
}

export function traceFileOption(): Option {
  return new Option('--trace-file <path>', 'write traces of sampled packets (a span per packet, a child per operator) as JSON lines');
}

/** Starts what the options ask for (the no-op when nothing); a bad port or file is a BadArgumentError. */
export async function startCliTelemetry(o: TelemetryCliOptions, log: RuntimeLogger): Promise<Telemetry> {
  if (o.traceSample !== undefined && o.traceFile === undefined) throw new BadArgumentError('--trace-sample needs --trace-file (where the traces go)');
  let t: Telemetry;
  try {
    t = await startTelemetry({ metricsPort: o.metricsPort, traceFile: o.traceFile, traceSample: o.traceSample });
  } catch (err) {
    if (err instanceof MetricsPortError || err instanceof TraceFileError) throw new BadArgumentError(err.message);
    throw err;
  }
  if (t.metrics.enabled) {
    const m = t.metrics;
    setBatchObserver({ onBatch: (rows, waitUs) => m.recordBatch(rows, waitUs) });
  }
  if (t.metrics.enabled || t.tracing.enabled) {
    log.info({ metricsPort: t.metricsPort ?? null, traceFile: o.traceFile ?? null, traceSample: o.traceFile === undefined ? null : (o.traceSample ?? DEFAULT_TRACE_SAMPLE) }, 'telemetry on');
  }
  return t;
}

export async function stopCliTelemetry(t: Telemetry): Promise<void> {
  t.setReady(false);
  if (t.metrics.enabled) setBatchObserver(undefined);
  await t.shutdown();
}
