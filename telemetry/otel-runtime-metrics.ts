/**
 * RuntimeMetrics over an OpenTelemetry Meter: counters and gauges are observable instruments
 * reading plain numbers at collection time; histograms are FixedHistograms exported by a
 * MetricProducer. Nothing here allocates per packet.
 */
import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import {
  BATCH_SIZE_BUCKETS,
  BATCH_WAIT_BUCKETS_S,
  CHECKPOINT_DURATION_BUCKETS_S,
  CHECKPOINT_SIZE_BUCKETS,
  LATENCY_BUCKETS_S,
} from './buckets';
import { FixedHistogram } from './fixed-histogram';
import type { FixedHistogramProducer } from './histogram-producer';
import { METRIC } from './metric-names';
import { ObservedSeries, type SeriesReader, type Tracked } from './observed-series';
import type { RuntimeMetrics } from './runtime-metrics';

/** Attribute objects per label value, made once: the SDK keys series by them. */
class AttributeCache {
  private readonly m = new Map<string, Attributes>();
  constructor(private readonly labelName: string) {}
  get(v: string): Attributes {
    let a = this.m.get(v);
    if (a === undefined) {
      a = { [this.labelName]: v };
      this.m.set(v, a);
    }
    return a;
  }
}

export class OtelRuntimeMetrics implements RuntimeMetrics {
  readonly enabled = true;
  readonly latency: FixedHistogram;
  readonly batchSize: FixedHistogram;
  readonly batchWait: FixedHistogram;
  readonly checkpointDuration: FixedHistogram;
  readonly checkpointSize: FixedHistogram;
  private readonly operatorRecords = new ObservedSeries(true);
  private readonly mailboxDepth = new ObservedSeries(false);
  private readonly consumerLag = new ObservedSeries(false);
  private readonly deadLetters = new ObservedSeries(true);
  private readonly mitigations = new ObservedSeries(true);

  constructor(meter: Meter, histograms: FixedHistogramProducer) {
    this.latency = histograms.add({ name: METRIC.packetLatency, description: 'Per-packet latency from the capture timestamp to the verdict (end of the operator chain)', unit: 's', histogram: new FixedHistogram(LATENCY_BUCKETS_S) });
    this.batchSize = histograms.add({ name: METRIC.batchSize, description: 'Rows per batched LSTM inference step', unit: '{row}', histogram: new FixedHistogram(BATCH_SIZE_BUCKETS) });
    this.batchWait = histograms.add({ name: METRIC.batchWait, description: 'Time the first row of a batch waited before the batched step ran', unit: 's', histogram: new FixedHistogram(BATCH_WAIT_BUCKETS_S) });
    this.checkpointDuration = histograms.add({ name: METRIC.checkpointDuration, description: 'Duration of one checkpoint (outputs flushed, state and offset written)', unit: 's', histogram: new FixedHistogram(CHECKPOINT_DURATION_BUCKETS_S) });
    this.checkpointSize = histograms.add({ name: METRIC.checkpointSize, description: 'State cells written by one checkpoint', unit: '{cell}', histogram: new FixedHistogram(CHECKPOINT_SIZE_BUCKETS) });

    const counter = (name: string, description: string, label: string, series: ObservedSeries): void => {
      // The exporter appends `_total` to counters; the OTel name is without it.
      const attrs = new AttributeCache(label);
      meter.createObservableCounter(name.replace(/_total$/, ''), { description }).addCallback((r: ObservableResult) => {
        for (const [k, v] of series.collect()) r.observe(v, attrs.get(k));
      });
    };
    const gauge = (name: string, description: string, label: string, series: ObservedSeries): void => {
      const attrs = new AttributeCache(label);
      meter.createObservableGauge(name, { description }).addCallback((r: ObservableResult) => {
        for (const [k, v] of series.collect()) r.observe(v, attrs.get(k));
      });
    };
    counter(METRIC.operatorRecords, 'Records into each operator of the chain (rate() gives records/s)', 'operator', this.operatorRecords);
    counter(METRIC.deadLetters, 'Records sent to the dead-letter topic, by reason', 'reason', this.deadLetters);
    counter(METRIC.mitigations, 'Mitigation decisions emitted, by action', 'action', this.mitigations);
    gauge(METRIC.mailboxDepth, 'Records waiting in each task mailbox', 'partition', this.mailboxDepth);
    gauge(METRIC.consumerLag, 'Records of each partition not yet run through the chain', 'partition', this.consumerLag);
  }

  recordLatencies(captureTsUs: ArrayLike<number>, n: number, nowUs: number): void {
    const h = this.latency;
    for (let i = 0; i < n; i++) {
      const t = captureTsUs[i];
      if (t > -Infinity && t < Infinity) {
        const d = nowUs - t;
        h.record(d > 0 ? d / 1e6 : 0);
      }
    }
  }

  recordBatch(rows: number, waitUs: number): void {
    this.batchSize.record(rows);
    this.batchWait.record(waitUs > 0 ? waitUs / 1e6 : 0);
  }

  recordCheckpoint(durationMs: number, cells: number): void {
    this.checkpointDuration.record(durationMs / 1000);
    this.checkpointSize.record(cells);
  }

  countMitigation(action: string): void {
    this.mitigations.add(action, 1);
  }

  observeOperatorRecords(reader: SeriesReader): Tracked {
    return this.operatorRecords.track(reader);
  }

  observeMailboxDepth(reader: SeriesReader): Tracked {
    return this.mailboxDepth.track(reader);
  }

  observeConsumerLag(reader: SeriesReader): Tracked {
    return this.consumerLag.track(reader);
  }

  observeDeadLetters(reader: SeriesReader): Tracked {
    return this.deadLetters.track(reader);
  }
}
