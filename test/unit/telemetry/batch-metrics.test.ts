/** Batch size and wait time of the micro-batcher reach /metrics through its observer hook. */
import { MicroBatcher, setBatchObserver, type StepRequest } from '../../../models/micro-batcher';
import type { StatefulLstm } from '../../../models/stateful-lstm';
import { METRIC, startTelemetry } from '../../../telemetry';
import { scrape, value } from './scrape';

const F = 3, H = 2, T = 1;
// A non-SIMD kernel, so requests queue and are batched (the SIMD kernel steps each request at once).
const fakeLstm = { inputs: F, hidden: H, outputs: T, step: () => undefined, kernelFor: () => 'tfjs' } as unknown as StatefulLstm;

function request(n: number): StepRequest {
  return { n, x: new Float32Array(n * F), h: new Float32Array(n * H), c: new Float32Array(n * H), dep: new Int32Array(n).fill(-1), out: new Float32Array(n * T) };
}

describe('inference batch metrics', () => {
  afterEach(() => setBatchObserver(undefined));

  it('records one batch size and one wait per batched step', async () => {
    const t = await startTelemetry({ metricsPort: 0, metricsHost: '127.0.0.1' });
    try {
      setBatchObserver({ onBatch: (rows, waitUs) => t.metrics.recordBatch(rows, waitUs) });
      const b = new MicroBatcher(fakeLstm, { maxBatch: 4, maxWaitUs: 2000 });
      await Promise.all([b.submit(request(5)), b.submit(request(7)), b.submit(request(2))]);
      expect(b.stats.rows).toBe(14);
      const m = await scrape(t.metricsPort as number);
      expect(value(m, `${METRIC.batchSize}_count`)).toBe(b.stats.batches);
      expect(value(m, `${METRIC.batchSize}_sum`)).toBe(14);
      expect(value(m, `${METRIC.batchSize}_bucket`, { le: '4' })).toBe(b.stats.batches);
      expect(value(m, `${METRIC.batchWait}_count`)).toBe(b.stats.batches);
      expect(value(m, `${METRIC.batchWait}_sum`)).toBeGreaterThanOrEqual(0);
    } finally {
      await t.shutdown();
    }
  });
});
