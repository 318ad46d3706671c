/**
 * Exports FixedHistograms through the OpenTelemetry pipeline as cumulative histogram data, so the
 * Prometheus exporter serializes them like SDK histograms (`_bucket{le}`, `_sum`, `_count`) while
 * the hot path records into plain numbers instead of calling `Histogram.record` per packet.
 */
import { ValueType, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type HistogramMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { FixedHistogram } from './fixed-histogram';

export interface HistogramSeries {
  name: string;
  description: string;
  unit: string;
  histogram: FixedHistogram;
}

export class FixedHistogramProducer implements MetricProducer {
  private readonly series: HistogramSeries[] = [];
  private readonly startTime: HrTime = hrTime();

  constructor(private readonly scopeName: string) {}

  add(s: HistogramSeries): FixedHistogram {
    this.series.push(s);
    return s.histogram;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const metrics: HistogramMetricData[] = this.series.map((s) => {
      const h = s.histogram;
      return {
        descriptor: { name: s.name, description: s.description, unit: s.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: [{
          startTime: this.startTime,
          endTime,
          attributes: {},
          value: {
            buckets: { boundaries: [...h.boundaries], counts: Array.from(h.counts) },
            count: h.count,
            sum: h.sum,
            min: h.count > 0 ? h.min : undefined,
            max: h.count > 0 ? h.max : undefined,
          },
        }],
      };
    });
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: { name: this.scopeName }, metrics }] }, errors: [] };
  }
}
