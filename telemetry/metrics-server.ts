/**
 * One HTTP port for the orchestrator and Prometheus: GET /metrics (Prometheus text format),
 * /healthz (200 while the process serves), /readyz (200 once the caller said it is ready, 503
 * before and after). Kubernetes probes and the Dockerfile use exactly these paths.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsPortError } from './errors';

export interface MetricsServerOptions {
  port: number;
  /** Default all interfaces (the endpoint is scraped from outside a container). */
  host?: string;
  metrics(req: IncomingMessage, res: ServerResponse): void;
}

export class MetricsServer {
  ready = false;
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  /** Binds the port; rejects with MetricsPortError naming it when it cannot. */
  static async start(o: MetricsServerOptions): Promise<MetricsServer> {
    let self: MetricsServer | undefined;
    const server = createServer((req, res) => self?.handle(req, res, o.metrics));
    self = new MetricsServer(server);
    const host = o.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => reject(new MetricsPortError(o.port, host, err.code, err));
      server.once('error', onError);
      server.listen(o.port, o.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    // A scrape must never keep the process alive past its work.
    server.unref();
    return self;
  }

  /** The bound port (the real one when 0 was asked for). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private handle(req: IncomingMessage, res: ServerResponse, metrics: MetricsServerOptions['metrics']): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics(req, res);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      res.writeHead(this.ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(this.ready ? 'ready\n' : 'not ready\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics, /healthz, /readyz\n');
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
