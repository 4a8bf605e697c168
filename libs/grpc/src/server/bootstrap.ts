import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Logger,
  type ExceptionFilter,
  type INestApplicationContext,
  type INestMicroservice,
  type LoggerService,
  type LogLevel,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomStrategy } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, envInt, type Env } from '@app/config';
import {
  Metrics,
  metricsListenConfig,
  REQUEST_ID_HEADER,
  requestIdFrom,
  holdRequest,
  runInRequest,
  serveMetrics,
  ServiceHealth,
  type MetricsListenConfig,
  type MetricsServer,
  type RequestContext,
} from '@app/observability';
import { AUDIT_SINK, type AuditSink } from '../auth/audit';
import { GrpcExceptionFilter } from '../errors/grpc-exception.filter';
import { TransportExceptionFilter } from '../errors/transport-exception.filter';
import { DEFAULT_SLOW_CALL_MS } from './call-observer';
import { grpcMicroserviceOptions, type GrpcServerOptions, type GrpcServiceSpec } from './grpc-options';
import type { GrpcHealth } from './health';
import { formatAddress, grpcServerConfig, type GrpcServerConfig } from './server-config';

type AppModule = Parameters<typeof NestFactory.createMicroservice>[0];

export interface GrpcApp {
  app: INestMicroservice;
  health: GrpcHealth;
  address: string;
  /** `host:port` of GET /metrics, when served. */
  metricsAddress: string | undefined;
  /**
   * Stops in order: health NOT_SERVING, no new calls, in-flight calls get up to
   * `graceMs`, then Nest's destroy/shutdown hooks (pools close after the last call).
   */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface AppStartOptions {
  logger?: LoggerService | LogLevel[] | false;
  /** Where to serve the app's metrics (MetricsModule); none when absent or port 0. */
  metrics?: MetricsListenConfig;
}

/**
 * Creates the Nest gRPC microservice with the global error filter, listens, and
 * reports SERVING. Throws on failure (tests and harnesses use this directly).
 */
export async function startGrpcApp(
  appModule: AppModule,
  grpc: GrpcServerOptions,
  options: AppStartOptions = {},
): Promise<GrpcApp> {
  const app = await NestFactory.createMicroservice<CustomStrategy>(appModule, {
    // Nest's gRPC transport with the plain handlers beside it (GrpcServer).
    strategy: grpc.server,
    // A failing provider (bad configuration) must reach our caller, not abort the process.
    abortOnError: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  app.useGlobalFilters(new GrpcExceptionFilter());
  let metricsServer: MetricsServer | undefined;
  try {
    grpc.server.servePlainFrom(app);
    await app.listen();
    auditRefusals(app, grpc);
    metricsServer = await startMetrics(app, grpc, options.metrics);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  followDependencies(app, grpc.health);
  grpc.health.setServing();

  let closing: Promise<void> | undefined;
  return {
    app,
    health: grpc.health,
    address: grpc.address,
    metricsAddress: metricsServer?.address,
    close: (graceMs = DEFAULT_SHUTDOWN_GRACE_MS) =>
      (closing ??= (async () => {
        await grpc.health.drain(graceMs);
        await metricsServer?.close();
        await app.close();
      })()),
  };
}

/** Calls the gRPC server refuses before any handler (a message that does not decode) go to the app's audit log. */
function auditRefusals(app: INestApplicationContext, grpc: GrpcServerOptions): void {
  let sink: AuditSink;
  try {
    sink = app.get<AuditSink>(AUDIT_SINK, { strict: false });
  } catch {
    return; // an app without an audit log (tests of the plumbing)
  }
  grpc.calls.auditTo(sink);
}

/**
 * The app's Metrics (from MetricsModule) get the gRPC server's, and are served
 * unless the port is 0, with GET /health beside them.
 */
async function startMetrics(
  app: INestApplicationContext,
  grpc: GrpcServerOptions,
  listen: MetricsListenConfig | undefined,
): Promise<MetricsServer | undefined> {
  let metrics: Metrics;
  try {
    metrics = app.get(Metrics, { strict: false });
  } catch {
    return undefined; // an app without MetricsModule (tests of the plumbing)
  }
  grpc.calls.register(metrics);
  return listen && listen.port !== 0
    ? serveMetrics(metrics, listen, () => grpc.health.report(metrics.service))
    : undefined;
}

/** grpc.health.v1 follows the app's dependencies (its ServiceHealth, from MetricsModule) when it has some. */
function followDependencies(app: INestApplicationContext, health: GrpcHealth): void {
  let dependencies: ServiceHealth;
  try {
    dependencies = app.get(ServiceHealth, { strict: false });
  } catch {
    return;
  }
  health.follow(dependencies);
}

export interface BootstrapOptions extends GrpcServiceSpec {
  /** Service name for logs, e.g. `registry`. */
  name: string;
  /** GRPC_PORT when unset. */
  defaultPort: number;
  /** METRICS_PORT when unset; without one, metrics are served only when METRICS_PORT is set. */
  defaultMetricsPort?: number;
  /** The variables the service reads (main.ts: process.env); the same map its module was given. */
  env: Env;
  /** Nest's logger option (default: Nest's console logger). */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * The whole of an app's main.ts: reads GRPC_* variables, starts the server,
 * logs one line with the address, and drains on SIGTERM/SIGINT. A bad
 * configuration or a failed start logs the reason and exits with status 1.
 *
 * Nest's enableShutdownHooks is not used on purpose: its sequence runs
 * onModuleDestroy (closing database pools) before it stops the gRPC server, so
 * in-flight calls would fail; here the server drains first.
 */
export async function bootstrapGrpcApp(appModule: AppModule, options: BootstrapOptions): Promise<GrpcApp> {
  const logger = new Logger(options.name);
  try {
    const { server, graceMs, grpc, metrics } = grpcFromEnv(options.env, options);
    const handle = await startGrpcApp(appModule, grpc, {
      metrics,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    closeOnSignals(handle, graceMs, logger);
    logger.log(`gRPC listening on ${server.address} (${server.security})${metricsLine(handle.metricsAddress)}`);
    return handle;
  } catch (error) {
    return failedToStart(error, logger);
  }
}

/** GRPC_* variables read and validated: where to listen, how long to drain, and Nest's options. */
function grpcFromEnv(
  env: Env,
  options: BootstrapOptions,
): { server: GrpcServerConfig; graceMs: number; grpc: GrpcServerOptions; metrics: MetricsListenConfig } {
  const server = grpcServerConfig(env, { port: options.defaultPort });
  const graceMs = envInt(env, 'GRPC_SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000);
  const slowCallMs = envInt(env, 'LOG_SLOW_CALL_MS', DEFAULT_SLOW_CALL_MS, 1, 3_600_000);
  const metrics = metricsListenConfig(env, options.defaultMetricsPort ?? 0);
  const grpc = grpcMicroserviceOptions({
    protoFiles: options.protoFiles,
    packages: options.packages,
    healthServices: options.healthServices,
    plainRpcs: options.plainRpcs,
    host: server.host,
    port: server.port,
    credentials: server.credentials,
    slowCallMs,
  });
  return { server, graceMs, grpc, metrics };
}

function metricsLine(address: string | undefined): string {
  return address === undefined ? '' : `; metrics on http://${address}/metrics`;
}

function failedToStart(error: unknown, logger: Logger): never {
  if (error instanceof ConfigError) logger.error(error.message);
  else logger.error(`failed to start: ${(error as Error).message}`, (error as Error).stack);
  process.exit(1);
}

function closeOnSignals(handle: { close(graceMs: number): Promise<void> }, graceMs: number, logger: Logger): void {
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal while draining falls back to Node's default: exit now.
    for (const s of signals) process.off(s, onSignal);
    logger.log(`${signal}: draining (up to ${graceMs} ms)`);
    handle.close(graceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`, (error as Error).stack);
        process.exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
}

/** The HTTP side of a hybrid app (the admin's dashboard and JSON API). */
export interface HttpListenOptions {
  host: string;
  /** 0 picks a free port (tests); HybridApp.httpAddress says which. */
  port: number;
  /** Answers HTTP requests that failed (gRPC calls keep GrpcExceptionFilter's statuses). */
  errorFilter: ExceptionFilter;
  /** Static files, middleware, Express settings: applied before the app initialises and listens. */
  configure?: (app: NestExpressApplication) => void;
}

export interface HybridApp {
  app: NestExpressApplication;
  health: GrpcHealth;
  /** gRPC `host:port`. */
  address: string;
  /** HTTP `host:port` as bound. */
  httpAddress: string;
  /** `host:port` of GET /metrics, when served. */
  metricsAddress: string | undefined;
  /** As GrpcApp.close, with the HTTP server drained alongside the gRPC server. */
  close(graceMs?: number): Promise<void>;
}

/**
 * One Nest application serving gRPC (a connected microservice) and HTTP
 * (Express), each failure answered in its transport's terms. SERVING once both listen. Closing drains
 * both servers (NOT_SERVING, no new calls or connections, in-flight work gets
 * up to `graceMs`) before Nest's destroy hooks close the pools.
 */
export async function startHybridApp(
  appModule: AppModule,
  grpc: GrpcServerOptions,
  http: HttpListenOptions,
  options: AppStartOptions = {},
): Promise<HybridApp> {
  const app = await NestFactory.create<NestExpressApplication>(appModule, {
    abortOnError: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return serveHybridApp(app, grpc, http, options.metrics);
}

/**
 * startHybridApp for an application created elsewhere: tests create theirs
 * through @nestjs/testing to replace a provider (e.g. the clock).
 */
export async function serveHybridApp(
  app: NestExpressApplication,
  grpc: GrpcServerOptions,
  http: HttpListenOptions,
  metrics?: MetricsListenConfig,
): Promise<HybridApp> {
  app.useGlobalFilters(new TransportExceptionFilter(http.errorFilter));
  app.use(observeHttpRequest);
  http.configure?.(app);
  // The gRPC side shares the application's config: its guards and interceptors (APP_GUARD, APP_INTERCEPTOR)
  // are registered there, and the filter above, set first because the handlers are bound right here.
  app.connectMicroservice<CustomStrategy>({ strategy: grpc.server }, { inheritAppConfig: true });
  let metricsServer: MetricsServer | undefined;
  try {
    grpc.server.servePlainFrom(app);
    // Modules initialise before either server takes a call.
    await app.init();
    await app.startAllMicroservices();
    await app.listen(http.port, http.host);
    auditRefusals(app, grpc);
    metricsServer = await startMetrics(app, grpc, metrics);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  followDependencies(app, grpc.health);
  grpc.health.setServing();
  const httpServer = app.getHttpServer() as HttpServer;
  const bound = httpServer.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    app,
    health: grpc.health,
    address: grpc.address,
    httpAddress: formatAddress(http.host, bound.port),
    metricsAddress: metricsServer?.address,
    close: (graceMs = DEFAULT_SHUTDOWN_GRACE_MS) =>
      (closing ??= (async () => {
        await Promise.all([grpc.health.drain(graceMs), drainHttp(httpServer, graceMs)]);
        await metricsServer?.close();
        await app.close();
      })()),
  };
}

const httpLogger = new Logger('http');

/**
 * Every HTTP request runs with a request id (the caller's `x-request-id` when
 * valid, else a new one), echoed in the answer; a failed request gets one log
 * line (method, path without its query, status, duration, role), others debug.
 */
function observeHttpRequest(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const started = performance.now();
  const context: RequestContext = { requestId: requestIdFrom(request.headers[REQUEST_ID_HEADER]) };
  response.setHeader(REQUEST_ID_HEADER, context.requestId);
  const release = holdRequest();
  // A request whose caller goes away is never finished: its close lets the context rest.
  response.once('close', release);
  response.once('finish', () => {
    const status = response.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'debug';
    runInRequest(context, () =>
      httpLogger[level]({
        msg: status >= 400 ? 'request failed' : 'request',
        method: request.method,
        path: (request.url ?? '').split('?')[0],
        status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        ...(context.role === undefined ? {} : { role: context.role }),
      }),
    );
  });
  runInRequest(context, next);
}

/** Stops accepting connections; idle keep-alive ones close at once, busy ones once answered, all after `graceMs`. */
function drainHttp(server: HttpServer, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    // A keep-alive connection turns idle when its answer is sent: close it then.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearInterval(idle);
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface HybridBootstrapOptions extends BootstrapOptions {
  http: HttpListenOptions;
}

/** bootstrapGrpcApp for a hybrid app: the same variables, logs, signals and exit statuses, plus the HTTP server. */
export async function bootstrapHybridApp(appModule: AppModule, options: HybridBootstrapOptions): Promise<HybridApp> {
  const logger = new Logger(options.name);
  try {
    const { server, graceMs, grpc, metrics } = grpcFromEnv(options.env, options);
    const handle = await startHybridApp(appModule, grpc, options.http, {
      metrics,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    closeOnSignals(handle, graceMs, logger);
    logger.log(
      `gRPC listening on ${server.address} (${server.security}); ` +
        `HTTP on http://${handle.httpAddress}${metricsLine(handle.metricsAddress)}`,
    );
    return handle;
  } catch (error) {
    return failedToStart(error, logger);
  }
}
