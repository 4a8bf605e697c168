import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, envInt, envString, type Env } from '@app/config';
import type { Metrics } from './metrics';

export interface MetricsListenConfig {
  host: string;
  /** 0: no metrics server (the metrics are still kept). */
  port: number;
}

/**
 * METRICS_HOST (default GRPC_HOST, else 0.0.0.0) and METRICS_PORT (default per
 * service; 0 turns the server off). /metrics has no authentication: keep the
 * port on the internal network.
 */
export function metricsListenConfig(env: Env, defaultPort: number): MetricsListenConfig {
  const host = envString(env, 'METRICS_HOST', envString(env, 'GRPC_HOST', '0.0.0.0'));
  const port = envInt(env, 'METRICS_PORT', defaultPort, 0, 65535);
  if (port !== 0 && port === envInt(env, 'GRPC_PORT', -1, -1, 65535))
    throw new ConfigError('METRICS_PORT', `${port} is also GRPC_PORT`);
  return { host, port };
}

export interface MetricsServer {
  /** `host:port` as bound. */
  address: string;
  close(): Promise<void>;
}

/** The service's health as JSON for GET /health: `status` decides the HTTP status (200 when SERVING, else 503). */
export type HealthReader = () => { status: 'SERVING' | 'NOT_SERVING' };

/**
 * Serves `GET /metrics` (Prometheus text exposition) and, given a reader,
 * `GET /health` (the service's status and each dependency's, as JSON), over plain HTTP.
 */
export async function serveMetrics(
  metrics: Metrics,
  config: MetricsListenConfig,
  health?: HealthReader,
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' && !(path === '/health' && health)) {
      response
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`not found: metrics are at /metrics${health ? ', health at /health' : ''}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health') {
      const report = health!();
      const body = `${JSON.stringify(report, null, 2)}\n`;
      response
        .writeHead(report.status === 'SERVING' ? 200 : 503, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    metrics.exposition().then(
      (text) =>
        response
          .writeHead(200, { 'content-type': metrics.contentType })
          .end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`metrics failed: ${(error as Error).message}\n`),
    );
  });
  // A scraper keeps its connection open between scrapes; closing must not wait for it.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
