import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { httpRequestMetrics, Metrics } from '@app/observability';
import { CHART_JS_PATH, chartJsFile, dashboardDir } from './static-files';

interface Request {
  method: string;
}
interface Response {
  setHeader(name: string, value: string): unknown;
  sendFile(path: string, options: { maxAge: string; headers?: Record<string, string> }): void;
}

/**
 * Browsers get no licence to embed, sniff or run foreign script: the dashboard
 * is served from here, scripts and styles from its own files only.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " +
    "frame-ancestors 'none'; form-action 'self'",
};

/**
 * The admin's HTTP side, before it listens: security headers, the dashboard's
 * static files at `/` and Chart.js at CHART_JS_PATH (its error filter,
 * HttpErrorFilter, goes to the hybrid bootstrap beside this). Static files are
 * Express middleware, outside Nest's guards: public, as the login page must be.
 * Everything under /api is a Nest route. Every request is counted and timed by its route pattern.
 */
export function configureAdminHttp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.use(httpRequestMetrics(app.get(Metrics, { strict: false })));
  app.use((_request: Request, response: Response, next: () => void) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    next();
  });
  const chartJs = chartJsFile();
  app.use(CHART_JS_PATH, (request: Request, response: Response, next: () => void) =>
    request.method === 'GET' || request.method === 'HEAD' ? response.sendFile(chartJs, { maxAge: '1d' }) : next(),
  );
  const dashboard = dashboardDir();
  if (dashboard === undefined)
    new Logger('AdminHttp').warn('apps/admin/dashboard not found: the dashboard is not served (the JSON API is)');
  else {
    // Browsers ask for /favicon.ico whatever the page links: answer with the dashboard's SVG icon.
    const icon = join(dashboard, 'favicon.svg');
    app.use('/favicon.ico', (request: Request, response: Response, next: () => void) =>
      request.method === 'GET' || request.method === 'HEAD'
        ? response.sendFile(icon, { maxAge: '1d', headers: { 'content-type': 'image/svg+xml' } })
        : next(),
    );
    app.useStaticAssets(dashboard, { index: 'index.html', fallthrough: true });
  }
}
