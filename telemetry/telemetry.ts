/**
 * Starts what the command line asked for: metrics (a MeterProvider read by a Prometheus exporter
 * served from our own HTTP port, so the same port answers /healthz and /readyz) and packet traces
 * (a tracer provider with a batch processor writing JSON lines). Anything not asked for is the
 * no-op, so a plain run pays nothing for telemetry.
 */
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FixedHistogramProducer } from './histogram-producer';
import { JsonLinesSpanExporter } from './jsonl-span-exporter';
import { MetricsServer } from './metrics-server';
import { OtelRuntimeMetrics } from './otel-runtime-metrics';
import { NOOP_TRACING, OtelPacketTracing, type PacketTracing } from './packet-tracing';
import { NOOP_METRICS, type RuntimeMetrics } from './runtime-metrics';

/** One packet in a thousand: enough to see where time goes, cheap enough to leave on. */
export const DEFAULT_TRACE_SAMPLE = 0.001;

export interface TelemetryOptions {
  /** Serve /metrics, /healthz and /readyz on this port (0: any free port). Undefined: no server. */
  metricsPort?: number;
  /** Interface to bind (default all). */
  metricsHost?: string;
  /** Write traces of sampled packets to this JSON-lines file. Undefined: no traces. */
  traceFile?: string;
  /** Probability that a packet is traced (default DEFAULT_TRACE_SAMPLE). */
  traceSample?: number;
  /** Seed of the packet sampler (tests). */
  traceSeed?: number;
  /** `service.name` of the resource (default 'prescient'). */
  serviceName?: string;
}

export interface Telemetry {
  readonly metrics: RuntimeMetrics;
  readonly tracing: PacketTracing;
  /** The bound metrics port, or undefined without a server. */
  readonly metricsPort: number | undefined;
  /** What /readyz answers: 200 when true, 503 when false. */
  setReady(ready: boolean): void;
  /** Flushes traces and stops the server. */
  shutdown(): Promise<void>;
}

export const NOOP_TELEMETRY: Telemetry = {
  metrics: NOOP_METRICS,
  tracing: NOOP_TRACING,
  metricsPort: undefined,
  setReady: () => undefined,
  shutdown: async () => undefined,
};

export async function startTelemetry(o: TelemetryOptions): Promise<Telemetry> {
  if (o.metricsPort === undefined && o.traceFile === undefined) return NOOP_TELEMETRY;
  const resource = resourceFromAttributes({ 'service.name': o.serviceName ?? 'prescient' });
  let metrics: RuntimeMetrics = NOOP_METRICS;
  let server: MetricsServer | undefined;
  let meterProvider: MeterProvider | undefined;
  if (o.metricsPort !== undefined) {
    const histograms = new FixedHistogramProducer('prescient');
    const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [histograms] });
    meterProvider = new MeterProvider({ resource, readers: [exporter] });
    metrics = new OtelRuntimeMetrics(meterProvider.getMeter('prescient'), histograms);
    server = await MetricsServer.start({ port: o.metricsPort, host: o.metricsHost, metrics: (req, res) => exporter.getMetricsRequestHandler(req, res) });
  }
  let tracing: PacketTracing = NOOP_TRACING;
  let tracerProvider: BasicTracerProvider | undefined;
  if (o.traceFile !== undefined) {
    let spans: JsonLinesSpanExporter;
    try {
      spans = new JsonLinesSpanExporter(o.traceFile);
    } catch (err) {
      await server?.close();
      throw err;
    }
    // The packet sampler already chose the packets; every span it asks for is recorded.
    tracerProvider = new BasicTracerProvider({
      resource,
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new BatchSpanProcessor(spans, { maxQueueSize: 65_536, maxExportBatchSize: 1024, scheduledDelayMillis: 1000 })],
    });
    tracing = new OtelPacketTracing(tracerProvider.getTracer('prescient'), o.traceSample ?? DEFAULT_TRACE_SAMPLE, o.traceSeed);
  }
  return {
    metrics,
    tracing,
    metricsPort: server?.port,
    setReady: (ready) => {
      if (server !== undefined) server.ready = ready;
    },
    shutdown: async () => {
      await tracerProvider?.shutdown();
      await server?.close();
      await meterProvider?.shutdown();
    },
  };
}
