import type { IncomingMessage, ServerResponse } from 'node:http';
import { LATENCY_BUCKETS, type Metrics } from './metrics';

/** What Express adds to a request once a route matched it. */
interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The `route` of a request no route matched: a static file, or nothing at all. */
export const STATIC_ROUTE = 'static';
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Express middleware counting and timing every HTTP request:
 * `fraud_http_requests_total{method,route,status}` and
 * `fraud_http_request_duration_seconds{method,route}`. `route` is the pattern that
 * matched (`/api/numbers/:msisdn`), never the path, so numbers stay out of the
 * labels; a request no route took is `static` when answered below 400, else `unmatched`.
 */
export function httpRequestMetrics(
  metrics: Metrics,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  const requests = metrics.counter({
    name: 'fraud_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
  });
  const duration = metrics.histogram({
    name: 'fraud_http_request_duration_seconds',
    help: 'From an HTTP request arriving to its answer sent, by method and route pattern, in seconds.',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
  });
  return (request, response, next) => {
    const started = performance.now();
    response.once('finish', () => {
      const method = METHODS.has(request.method ?? '') ? request.method! : 'OTHER';
      const route = routeOf(request as RoutedRequest, response.statusCode);
      requests.inc({ method, route, status: String(response.statusCode) });
      duration.observe({ method, route }, (performance.now() - started) / 1000);
    });
    next();
  };
}

function routeOf(request: RoutedRequest, status: number): string {
  const pattern = request.route?.path;
  if (typeof pattern === 'string') return `${request.baseUrl ?? ''}${pattern}`;
  return status < 400 ? STATIC_ROUTE : UNMATCHED_ROUTE;
}
