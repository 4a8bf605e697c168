import { Logger, type INestMicroservice, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { GrpcOptions } from '@nestjs/microservices';
import { ConfigError, envInt, type Env } from '@app/config';
import { GrpcExceptionFilter } from '../errors/grpc-exception.filter';
import { grpcMicroserviceOptions, type GrpcServerOptions, type GrpcServiceSpec } from './grpc-options';
import type { GrpcHealth } from './health';
import { grpcServerConfig } from './server-config';

type AppModule = Parameters<typeof NestFactory.createMicroservice>[0];

export interface GrpcApp {
  app: INestMicroservice;
  health: GrpcHealth;
  address: string;
  /**
   * Stops in order: health NOT_SERVING, no new calls, in-flight calls get up to
   * `graceMs`, then Nest's destroy/shutdown hooks (pools close after the last call).
   */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/**
 * Creates the Nest gRPC microservice with the global error filter, listens, and
 * reports SERVING. Throws on failure (tests and harnesses use this directly).
 */
export async function startGrpcApp(
  appModule: AppModule,
  grpc: GrpcServerOptions,
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<GrpcApp> {
  const app = await NestFactory.createMicroservice<GrpcOptions>(appModule, {
    transport: grpc.transport,
    options: grpc.options,
    // A failing provider (bad configuration) must reach our caller, not abort the process.
    abortOnError: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  app.useGlobalFilters(new GrpcExceptionFilter());
  try {
    await app.listen();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  grpc.health.setServing();

  let closing: Promise<void> | undefined;
  return {
    app,
    health: grpc.health,
    address: grpc.address,
    close: (graceMs = DEFAULT_SHUTDOWN_GRACE_MS) =>
      (closing ??= (async () => {
        await grpc.health.drain(graceMs);
        await app.close();
      })()),
  };
}

export interface BootstrapOptions extends GrpcServiceSpec {
  /** Service name for logs, e.g. `registry`. */
  name: string;
  /** GRPC_PORT when unset. */
  defaultPort: number;
  /** process.env by default. */
  env?: Env;
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
  const env = options.env ?? process.env;
  try {
    const server = grpcServerConfig(env, { port: options.defaultPort });
    const graceMs = envInt(env, 'GRPC_SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000);
    const grpc = grpcMicroserviceOptions({
      protoFiles: options.protoFiles,
      packages: options.packages,
      healthServices: options.healthServices,
      host: server.host,
      port: server.port,
      credentials: server.credentials,
    });
    const handle = await startGrpcApp(appModule, grpc, options.logger === undefined ? {} : { logger: options.logger });
    closeOnSignals(handle, graceMs, logger);
    logger.log(`gRPC listening on ${server.address} (${server.security})`);
    return handle;
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message);
    else logger.error(`failed to start: ${(error as Error).message}`, (error as Error).stack);
    process.exit(1);
  }
}

function closeOnSignals(handle: GrpcApp, graceMs: number, logger: Logger): void {
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
