/** The one telemetry port: /metrics, /healthz, /readyz, and a clear error when it is taken. */
import { createServer, type Server } from 'node:net';
import { MetricsPortError, NOOP_TELEMETRY, startTelemetry } from '../../../telemetry';
import { get } from './scrape';

describe('telemetry endpoint', () => {
  it('answers /healthz always, /readyz as the caller sets it, /metrics in Prometheus text, 404 elsewhere', async () => {
    const t = await startTelemetry({ metricsPort: 0, metricsHost: '127.0.0.1' });
    try {
      const port = t.metricsPort as number;
      expect(port).toBeGreaterThan(0);
      expect((await get(port, '/healthz')).status).toBe(200);
      expect((await get(port, '/readyz')).status).toBe(503);
      t.setReady(true);
      expect((await get(port, '/readyz')).status).toBe(200);
      t.setReady(false);
      expect((await get(port, '/readyz')).status).toBe(503);
      const m = await get(port, '/metrics');
      expect(m.status).toBe(200);
      expect(m.text).toContain('# TYPE prescient_packet_latency_seconds histogram');
      expect((await get(port, '/nope')).status).toBe(404);
    } finally {
      await t.shutdown();
    }
  });

  it('refuses a port in use with an error naming the port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await startTelemetry({ metricsPort: port, metricsHost: '127.0.0.1' }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(MetricsPortError);
      expect((err as MetricsPortError).port).toBe(port);
      expect((err as Error).message).toContain(`metrics port ${port} is already in use`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('is the no-op when neither metrics nor traces are asked for', async () => {
    const t = await startTelemetry({});
    expect(t).toBe(NOOP_TELEMETRY);
    expect(t.metrics.enabled).toBe(false);
    expect(t.tracing.enabled).toBe(false);
    expect(t.metricsPort).toBeUndefined();
  });
});
