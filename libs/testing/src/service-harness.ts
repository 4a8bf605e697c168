import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import type { Env } from '@app/config';
import type { Clock } from '@app/domain';
import {
  createGrpcClient,
  grpcMicroserviceOptions,
  loadOrCreateSigningKeys,
  signToken,
  startGrpcApp,
  startHybridApp,
  type GrpcApp,
  type GrpcServiceClient,
  type GrpcServiceSpec,
  type HttpListenOptions,
  type HybridApp,
} from '@app/grpc';
import { DatabaseConnection, databaseUrlVariable, type ServiceDatabase } from '@app/persistence';
import { freePort } from './free-port';
import { serviceClient, type OpenCall, type ServiceClient } from './service-client';
import { createTestDatabase, type TestDatabase } from './test-database';

/** How many free ports a start tries before it gives up (one taken between its pick and the listen is retried). */
const PORT_ATTEMPTS = 3;

/** Whether `error` is a listen on `address` refused because something else took it. */
function inUse(error: unknown, address: string): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes('EADDRINUSE') && message.includes(address);
}

/** One of our services as a test boots it: what an app's harness says about its app. */
export interface ServiceDefinition {
  /** Its tables and migrations: the test database is made for it and given to it as `<SERVICE>_DATABASE_URL`. */
  database: ServiceDatabase;
  /** A carrier's instance (`CTCC`): `CARRIER_CTCC_DATABASE_URL`. */
  instance?: string;
  /** What it serves over gRPC; clients call its first health service (e.g. `fraud.registry.v1.RegistryService`). */
  grpc: GrpcServiceSpec;
  /** Its app module, given the variables and the clock it runs with. */
  module(env: Env, clock: Clock | undefined): DynamicModule;
  /** Its HTTP side, for an app that serves gRPC and HTTP (the admin's dashboard and JSON API). */
  http?: Pick<HttpListenOptions, 'errorFilter' | 'configure'>;
  /** Its variables in every test, under the test's own (e.g. `CARRIER_ID`). */
  env?: Env;
  /** The role `client()` calls as when the test names none; without one, no token. */
  defaultRole?: string;
}

/** How a test starts a service. */
export interface StartOptions {
  /**
   * Its settings, e.g. `{ LIMIT_STREAMS_PER_CLIENT: '64' }` or `REGISTRY_ADDRESS`
   * (docs/operations.md "Configuration"). The service reads these and the harness's own
   * (its database, its key folder, plaintext gRPC), never process.env.
   */
  env?: Env;
  /** Replaces the wall clock (CLOCK), e.g. a TestClock a test moves ahead. */
  clock?: Clock;
  /**
   * A signing key folder shared with other services (one calling this one);
   * else one of its own, removed by close().
   */
  keyDir?: string;
  /** The URL the service is given for its database, e.g. through a TcpProxy a test can cut. */
  reach?: (url: string) => string;
}

/** An answer of a service's HTTP API, read with Node's fetch. */
export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: T;
}

/**
 * A service booted as in production, in the test's process: its real module,
 * gRPC (and HTTP) on loopback, a real PostgreSQL database of its own (migrated by
 * the owner, served as the application role), metrics on a port of its own. It
 * mints tokens with its signing key and gives typed clients, typed by the
 * service's ts-proto controller interface (`Controller`).
 */
export class ServiceHarness<Controller> {
  private running: GrpcApp | HybridApp | undefined;
  private clients: GrpcServiceClient[] = [];
  private calls: OpenCall[] = [];

  private constructor(
    private readonly definition: ServiceDefinition,
    readonly db: TestDatabase,
    readonly keyDir: string,
    /** What close() removes: a replica owns neither its database nor its keys. */
    private readonly owns: { db: boolean; keys: boolean },
    /** Every variable the service reads. */
    readonly env: Env,
    private readonly clock: Clock | undefined,
    /** gRPC `host:port`. */
    readonly address: string,
  ) {}

  static async start<Controller>(
    definition: ServiceDefinition,
    options: StartOptions = {},
  ): Promise<ServiceHarness<Controller>> {
    const { service } = definition.database;
    const db = await createTestDatabase(
      definition.instance === undefined ? service : `${service}_${definition.instance}`,
    );
    const keyDir = options.keyDir ?? mkdtempSync(join(tmpdir(), `${service}-keys-`));
    loadOrCreateSigningKeys(keyDir);
    const env: Env = {
      [databaseUrlVariable(service, definition.instance)]: options.reach?.(db.url) ?? db.url,
      AUTH_KEY_DIR: keyDir,
      // Plaintext on loopback, and so are its calls to the others (REGISTRY_ADDRESS, ADMIN_ADDRESS).
      GRPC_INSECURE: 'true',
      ...definition.env,
      ...options.env,
    };
    const owns = { db: true, keys: options.keyDir === undefined };
    for (let attempt = 1; ; attempt++) {
      const address = `127.0.0.1:${await freePort()}`;
      const harness = new ServiceHarness<Controller>(definition, db, keyDir, owns, env, options.clock, address);
      try {
        await harness.boot();
        return harness;
      } catch (error) {
        // A free port can be taken (an outgoing connection's ephemeral port) before the service listens on it.
        if (attempt < PORT_ATTEMPTS && inUse(error, address)) continue;
        await harness.close();
        throw error;
      }
    }
  }

  /** Starts (again, after stop()) on the same database: a restart keeps the data. */
  async boot(): Promise<void> {
    if (this.running) throw new Error(`${this.address} is already running`);
    const port = Number(this.address.split(':')[1]);
    for (let attempt = 1; ; attempt++) {
      const module = this.definition.module(this.env, this.clock);
      const grpc = grpcMicroserviceOptions({
        ...this.definition.grpc,
        host: '127.0.0.1',
        port,
        credentials: ServerCredentials.createInsecure(),
      });
      // Metrics on a port of its own: parallel test workers never share one.
      const metrics = { host: '127.0.0.1', port: await freePort() };
      const options = { logger: ['error' as const], metrics };
      try {
        this.running = this.definition.http
          ? await startHybridApp(module, grpc, { host: '127.0.0.1', port: 0, ...this.definition.http }, options)
          : await startGrpcApp(module, grpc, options);
        return;
      } catch (error) {
        if (attempt < PORT_ATTEMPTS && inUse(error, `${metrics.host}:${metrics.port}`)) continue;
        throw error;
      }
    }
  }

  /** Another process of the service on the same database, keys and settings; close() stops it and leaves both. */
  async replica(): Promise<ServiceHarness<Controller>> {
    const replica = new ServiceHarness<Controller>(
      this.definition,
      this.db,
      this.keyDir,
      { db: false, keys: false },
      this.env,
      this.clock,
      `127.0.0.1:${await freePort()}`,
    );
    await replica.boot();
    return replica;
  }

  /**
   * Stops the service (its streams cancelled, its clients closed, in-flight calls given `graceMs`);
   * boot() starts it again.
   */
  async stop(graceMs = 100): Promise<void> {
    this.calls.forEach((call) => call.cancel());
    this.calls = [];
    this.clients.forEach((client) => client.close());
    this.clients = [];
    await this.running?.close(graceMs);
    this.running = undefined;
  }

  /** Stops it, then drops its database and removes its keys (those it owns). */
  async close(): Promise<void> {
    await this.stop();
    if (this.owns.db) await this.db.drop();
    if (this.owns.keys) rmSync(this.keyDir, { recursive: true, force: true });
  }

  /** A token of `role` signed with the service's key, as the services and `npm run token` sign them. */
  token(role: string, subject = role.replace(':', '-'), ttlSeconds = 600): string {
    return signToken({ subject, role, ttlSeconds }, loadOrCreateSigningKeys(this.keyDir).privateKey);
  }

  /** A gRPC client calling as `role` (the service's default role unless named; '' or none: no token). */
  client(role = this.definition.defaultRole, subject?: string): ServiceClient<Controller> {
    const [service] = this.definition.grpc.healthServices;
    const [protoFile] = this.definition.grpc.protoFiles;
    const raw = createGrpcClient(service, protoFile, this.address, role ? { token: this.token(role, subject) } : {});
    this.clients.push(raw);
    return serviceClient<Controller>(raw, service, protoFile, (call) => this.calls.push(call));
  }

  /** An HTTP request with Node's fetch, as `role` (no token when none). */
  async http<T = unknown>(
    method: string,
    path: string,
    options: { role?: string; subject?: string; body?: unknown } = {},
  ): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = {};
    if (options.role) headers.authorization = `Bearer ${this.token(options.role, options.subject)}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: response.status, headers: response.headers, body: (isJson ? JSON.parse(text) : text) as T };
  }

  get<T = unknown>(path: string, role?: string): Promise<HttpAnswer<T>> {
    return this.http<T>('GET', path, role === undefined ? {} : { role });
  }

  /** The running Nest application, for a test that reaches a provider: `harness.app.get(AnalysisService)`. */
  get app(): INestApplicationContext {
    return this.runningApp().app;
  }

  /** The running application's HTTP side (Express), for a service that serves HTTP. */
  get httpApp(): NestExpressApplication {
    const running = this.runningApp();
    if (!('httpAddress' in running)) throw new Error(`${this.address} serves no HTTP`);
    return running.app;
  }

  /** `http://host:port` of its HTTP side. */
  get baseUrl(): string {
    const running = this.runningApp();
    if (!('httpAddress' in running)) throw new Error(`${this.address} serves no HTTP`);
    return `http://${running.httpAddress}`;
  }

  /** `http://host:port/metrics` of the running service. */
  get metricsUrl(): string {
    const { metricsAddress } = this.runningApp();
    if (!metricsAddress) throw new Error(`${this.address} serves no metrics`);
    return `http://${metricsAddress}/metrics`;
  }

  /** `http://host:port/health` of the running service (beside /metrics). */
  get healthUrl(): string {
    return this.metricsUrl.replace(/\/metrics$/, '/health');
  }

  /** The URL its pool uses: the application role, not the owner (`db.url`). */
  get appDatabaseUrl(): string {
    return this.app.get(DatabaseConnection, { strict: false }).url;
  }

  /** SQL on its database through its own pool (to set up or inspect what no RPC shows). */
  sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.app.get(DataSource).query(text, params);
  }

  private runningApp(): GrpcApp | HybridApp {
    if (!this.running) throw new Error(`${this.address} is not running`);
    return this.running;
  }
}
