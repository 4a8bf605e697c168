import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { Env } from '@app/config';
import { CLOCK, type Clock } from '@app/domain';
import { createGrpcClient, grpcMicroserviceOptions, loadOrCreateSigningKeys, serveHybridApp, signToken, type GrpcServiceClient, type HybridApp } from '@app/grpc';
import { createTestDatabase, freePort, type TestDatabase } from '@app/testing';
import { ADMIN_GRPC } from '../src/admin.grpc';
import { AdminModule } from '../src/admin.module';
import { adminConfig } from '../src/config/admin.config';
import { configureAdminHttp } from '../src/http/admin-http';
import { HttpErrorFilter } from '../src/http/http-error.filter';
import { AdminClient, TEST_PROVINCE, type DirectiveStream } from './admin-harness';

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: T;
}

/** The wall clock moved by a test: real time plus an offset the test sets. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** From now on the clock runs `ms` ahead of real time (0: real time again). */
  runAhead(ms: number): void {
    this.offsetMs = ms;
  }
}

/**
 * The admin service as main.ts runs it, gRPC and HTTP from one app (real
 * module, loopback, real PostgreSQL), with an optional hand-moved clock.
 */
export class AdminHttpHarness {
  private clients: GrpcServiceClient[] = [];
  private streams: DirectiveStream[] = [];
  private hybrid: HybridApp | undefined;

  private constructor(
    readonly db: TestDatabase,
    readonly keyDir: string,
    private readonly ownsKeys: boolean,
    private readonly env: Env,
    private readonly clock: Clock | undefined,
    readonly address: string,
  ) {}

  /** `env` sets admin variables (CASE_SLA_HOURS, REGISTRY_ADDRESS, …); `keyDir` shares a signing key with other services. */
  static async start(options: { env?: Env; clock?: Clock; keyDir?: string } = {}): Promise<AdminHttpHarness> {
    const db = await createTestDatabase('admin_http');
    const keys = options.keyDir ?? mkdtempSync(join(tmpdir(), 'admin-keys-'));
    loadOrCreateSigningKeys(keys);
    const harness = new AdminHttpHarness(db, keys, options.keyDir === undefined, options.env ?? {}, options.clock, `127.0.0.1:${await freePort()}`);
    await harness.boot();
    return harness;
  }

  async boot(): Promise<void> {
    process.env.ADMIN_DATABASE_URL = this.db.url;
    process.env.AUTH_KEY_DIR = this.keyDir;
    delete process.env.AUTH_PUBLIC_KEY_FILE;
    // It follows the registry (REGISTRY_ADDRESS) in plaintext on loopback.
    process.env.GRPC_INSECURE = 'true';
    const config = adminConfig({ ADMIN_PROVINCE: TEST_PROVINCE, ...this.env });
    const builder = Test.createTestingModule({ imports: [AdminModule.forProvince(config)] });
    if (this.clock) builder.overrideProvider(CLOCK).useValue(this.clock);
    const moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'], abortOnError: false });
    const port = Number(this.address.split(':')[1]);
    const grpc = grpcMicroserviceOptions({ ...ADMIN_GRPC, host: '127.0.0.1', port, credentials: ServerCredentials.createInsecure() });
    this.hybrid = await serveHybridApp(app, grpc, { host: '127.0.0.1', port: 0, errorFilter: new HttpErrorFilter(), configure: configureAdminHttp });
  }

  get app(): NestExpressApplication {
    if (!this.hybrid) throw new Error('the admin service is not running');
    return this.hybrid.app;
  }

  get baseUrl(): string {
    if (!this.hybrid) throw new Error('the admin service is not running');
    return `http://${this.hybrid.httpAddress}`;
  }

  sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.app.get(DataSource).query(text, params);
  }

  token(role: string, subject = role.replace(':', '-')): string {
    return signToken({ subject, role, ttlSeconds: 600 }, loadOrCreateSigningKeys(this.keyDir).privateKey);
  }

  /** A gRPC client calling as `role` (no token when role is undefined). */
  client(role?: string, subject?: string): AdminClient {
    const raw = createGrpcClient('fraud.admin.v1.AdminService', 'fraud/admin/v1/admin.proto', this.address, role ? { token: this.token(role, subject) } : {});
    this.clients.push(raw);
    return new AdminClient(raw, (stream) => this.streams.push(stream));
  }

  /** An HTTP request over loopback with Node's fetch, as `role` (no token when undefined). */
  async http<T = unknown>(method: string, path: string, options: { role?: string; subject?: string; body?: unknown } = {}): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = {};
    if (options.role) headers.authorization = `Bearer ${this.token(options.role, options.subject)}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: response.status, headers: response.headers, body: (isJson ? JSON.parse(text) : text) as T };
  }

  get<T = unknown>(path: string, role?: string): Promise<HttpAnswer<T>> {
    return this.http<T>('GET', path, role === undefined ? {} : { role });
  }

  async stop(graceMs = 100): Promise<void> {
    this.streams.forEach((s) => s.close());
    this.streams = [];
    this.clients.forEach((c) => c.close());
    this.clients = [];
    await this.hybrid?.close(graceMs);
    this.hybrid = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.db.drop();
    if (this.ownsKeys) rmSync(this.keyDir, { recursive: true, force: true });
  }
}
