import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, ServerCredentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { admin } from '@app/contracts';
import type { Env } from '@app/config';
import type { Clock } from '@app/domain';
import { createGrpcClient, grpcMicroserviceOptions, loadOrCreateSigningKeys, serveHybridApp, signToken, unary, type GrpcServiceClient, type HybridApp } from '@app/grpc';
import { createTestDatabase, freePort, type TestDatabase } from '@app/testing';
import { ADMIN_GRPC } from '../src/admin.grpc';
import { AdminModule } from '../src/admin.module';
import { adminConfig } from '../src/config/admin.config';
import { configureAdminHttp } from '../src/http/admin-http';
import { HttpErrorFilter } from '../src/http/http-error.filter';

export const TEST_PROVINCE = 'sichuan';

/** An answer of the admin's HTTP API, read with Node's fetch. */
export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: T;
}

/**
 * The admin service as main.ts runs it, gRPC and HTTP from one app (real module,
 * loopback, real PostgreSQL), with an optional hand-moved clock.
 */
export class AdminHarness {
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
    private readonly databaseUrl: string,
  ) {}

  /**
   * `keyDir` shares a signing key with other services (a carrier calling this
   * admin); else one of its own. `env` sets admin variables (ADMIN_REVIEW_AFTER_REPORTS,
   * CASE_SLA_HOURS, REGISTRY_ADDRESS, …); `clock` replaces the wall clock; `reach`
   * gives the URL the admin is given for its database (e.g. through a TcpProxy a test can cut).
   */
  static async start(keyDir?: string, env: Env = {}, clock?: Clock, options: { reach?: (url: string) => string } = {}): Promise<AdminHarness> {
    const db = await createTestDatabase('admin');
    const keys = keyDir ?? mkdtempSync(join(tmpdir(), 'admin-keys-'));
    loadOrCreateSigningKeys(keys);
    const harness = new AdminHarness(db, keys, keyDir === undefined, env, clock, `127.0.0.1:${await freePort()}`, options.reach?.(db.url) ?? db.url);
    await harness.boot();
    return harness;
  }

  /** A second admin process on the same database and signing key (another replica); end it with stop(), not close(). */
  async replica(): Promise<AdminHarness> {
    const replica = new AdminHarness(this.db, this.keyDir, false, this.env, this.clock, `127.0.0.1:${await freePort()}`, this.databaseUrl);
    await replica.boot();
    return replica;
  }

  /** Starts (again) on the same database: a restart keeps the data. */
  async boot(): Promise<void> {
    process.env.ADMIN_DATABASE_URL = this.databaseUrl;
    process.env.AUTH_KEY_DIR = this.keyDir;
    delete process.env.AUTH_PUBLIC_KEY_FILE;
    // With REGISTRY_ADDRESS it follows the registry, in plaintext on loopback.
    process.env.GRPC_INSECURE = 'true';
    const config = adminConfig({ ADMIN_PROVINCE: TEST_PROVINCE, ...this.env });
    const builder = Test.createTestingModule({ imports: [AdminModule.forProvince(config, process.env, this.clock)] });
    const moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'], abortOnError: false });
    const port = Number(this.address.split(':')[1]);
    const grpc = grpcMicroserviceOptions({ ...ADMIN_GRPC, host: '127.0.0.1', port, credentials: ServerCredentials.createInsecure() });
    // Metrics on a port of its own: parallel test workers never share one.
    this.hybrid = await serveHybridApp(
      app,
      grpc,
      { host: '127.0.0.1', port: 0, errorFilter: new HttpErrorFilter(), configure: configureAdminHttp },
      { host: '127.0.0.1', port: await freePort() },
    );
  }

  /** `http://host:port/metrics` of the running admin. */
  get metricsUrl(): string {
    if (!this.hybrid?.metricsAddress) throw new Error('the admin serves no metrics');
    return `http://${this.hybrid.metricsAddress}/metrics`;
  }

  /** `http://host:port/health` of the running admin (beside /metrics). */
  get healthUrl(): string {
    return this.metricsUrl.replace(/\/metrics$/, '/health');
  }

  /** The running Nest application, e.g. `harness.app.get(DirectiveExpiry)`. */
  get app(): NestExpressApplication {
    if (!this.hybrid) throw new Error('the admin service is not running');
    return this.hybrid.app;
  }

  get baseUrl(): string {
    if (!this.hybrid) throw new Error('the admin service is not running');
    return `http://${this.hybrid.httpAddress}`;
  }

  /** Runs SQL on the admin's database (to set up or inspect what no RPC shows). */
  sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.app.get(DataSource).query(text, params);
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
}

/** Typed calls of fraud.admin.v1.AdminService over a real grpc-js client. */
export class AdminClient {
  constructor(
    readonly raw: GrpcServiceClient,
    private readonly track: (stream: DirectiveStream) => void,
  ) {}

  submitCarrierFeed(request: Partial<admin.SubmitCarrierFeedRequest>): Promise<admin.SubmitCarrierFeedResponse> {
    return unary(this.raw, 'submitCarrierFeed', request);
  }

  issueDirective(request: Partial<admin.IssueDirectiveRequest>): Promise<admin.IssueDirectiveResponse> {
    return unary(this.raw, 'issueDirective', request);
  }

  listDirectives(request: Partial<admin.ListDirectivesRequest> = {}): Promise<admin.ListDirectivesResponse> {
    return unary(this.raw, 'listDirectives', request);
  }

  addHighRiskCell(request: Partial<admin.AddHighRiskCellRequest>): Promise<admin.AddHighRiskCellResponse> {
    return unary(this.raw, 'addHighRiskCell', request);
  }

  removeHighRiskCell(request: Partial<admin.RemoveHighRiskCellRequest>): Promise<admin.RemoveHighRiskCellResponse> {
    return unary(this.raw, 'removeHighRiskCell', request);
  }

  listHighRiskCells(): Promise<admin.ListHighRiskCellsResponse> {
    return unary(this.raw, 'listHighRiskCells', {});
  }

  getOwner(request: Partial<admin.GetOwnerRequest>): Promise<admin.GetOwnerResponse> {
    return unary(this.raw, 'getOwner', request);
  }

  setPortedNumber(request: Partial<admin.SetPortedNumberRequest>): Promise<admin.SetPortedNumberResponse> {
    return unary(this.raw, 'setPortedNumber', request);
  }

  getOversight(request: Partial<admin.GetOversightRequest> = {}): Promise<admin.GetOversightResponse> {
    return unary(this.raw, 'getOversight', request);
  }

  lookupNumber(request: Partial<admin.LookupNumberRequest>): Promise<admin.LookupNumberResponse> {
    return unary(this.raw, 'lookupNumber', request);
  }

  listCases(request: Partial<admin.ListCasesRequest> = {}): Promise<admin.ListCasesResponse> {
    return unary(this.raw, 'listCases', request);
  }

  /** Opens StreamDirectives; closed by `stream.close()` or the harness's stop(). */
  streamDirectives(): DirectiveStream {
    const call = (this.raw as unknown as { streamDirectives(m: Metadata): ClientDuplexStream<admin.StreamDirectivesRequest, admin.StreamDirectivesResponse> }).streamDirectives(
      new Metadata(),
    );
    const stream = new DirectiveStream(call);
    this.track(stream);
    return stream;
  }
}

/** A carrier's end of StreamDirectives: what arrived, waiting for more, acknowledging. */
export class DirectiveStream {
  readonly received: admin.Directive[] = [];
  /** The status the call ended with, once it ended. */
  error: ServiceError | undefined;
  ended = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly call: ClientDuplexStream<admin.StreamDirectivesRequest, admin.StreamDirectivesResponse>) {
    call.on('data', (message: admin.StreamDirectivesResponse) => {
      if (message.directive) this.received.push(message.directive);
      this.wake();
    });
    call.on('error', (error: ServiceError) => {
      this.error = error;
      this.wake();
    });
    call.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Resolves once `count` directives arrived in all (rejects on timeout or a failed call). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<admin.Directive[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (this.error) throw this.error;
      if (this.ended) throw new Error(`the stream ended after ${this.received.length} of ${count} directives`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.received.length} of ${count} directives arrived: ${JSON.stringify(this.received.map((d) => d.kind))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  /** Resolves when the call has ended, with its error status if it failed. */
  async finished(timeoutMs = 10_000): Promise<ServiceError | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && !this.error) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the stream did not end');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.error;
  }

  ack(directiveId: string, outcome: 'APPLIED' | 'REJECTED', detail = '', state = 'ACTION_NONE'): void {
    this.call.write({
      ack: { directiveId, outcome: `DIRECTIVE_OUTCOME_${outcome}` as admin.DirectiveOutcome, detail, state: state as admin.DirectiveAck['state'] },
    });
  }

  /** Drops the stream as a crashing carrier would: cancelled, nothing more acknowledged. */
  close(): void {
    this.call.cancel();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}

/** The status and details of a failed call, for `expect(...).rejects.toMatchObject(grpcError(...))`. */
export function grpcError(code: number, details?: string | RegExp): Record<string, unknown> {
  return details === undefined ? { code } : { code, details: typeof details === 'string' ? expect.stringContaining(details) : expect.stringMatching(details) };
}

/** A Timestamp `ms` milliseconds from now (negative: in the past). */
export function timestampIn(ms: number): { seconds: number; nanos: number } {
  const at = Date.now() + ms;
  return { seconds: Math.floor(at / 1000), nanos: (at % 1000) * 1_000_000 };
}

let sequence = 0;

/** A unique feed item key. */
export function feedKey(label = 'item'): string {
  return `${label}-${process.pid}-${++sequence}`;
}

/** A feed item holding a valid decision of `action` on `msisdn` (e.g. `ACTION_REPORT` on another carrier's number). */
export function aDecisionItem(msisdn: string, action = 'ACTION_REPORT', overrides: Partial<admin.CarrierDecision> = {}): admin.FeedItem {
  const key = feedKey('decision');
  return {
    idempotencyKey: key,
    decision: {
      decisionId: key,
      msisdn,
      action: action as admin.CarrierDecision['action'],
      previous: 'ACTION_NONE' as admin.CarrierDecision['previous'],
      reasons: ['CORROBORATED_REPORTS'],
      score: 0.8,
      policy: 'default@1',
      at: timestampIn(-60_000),
      evidence: {
        summary: '3 subscribers reported calls from this number',
        windowStart: timestampIn(-3_600_000),
        windowEnd: timestampIn(-60_000),
        measures: [{ name: 'reports_24h', value: 3, threshold: 2 }],
        cells: [{ cell: '460-11-23456-1', at: timestampIn(-600_000), activity: 'call' }],
      },
      ...overrides,
    },
  };
}

/** A feed item holding a daily count. */
export function aCountItem(overrides: Partial<admin.DailyCount> = {}, key = feedKey('count')): admin.FeedItem {
  return {
    idempotencyKey: key,
    dailyCount: { day: '2024-02-06', policy: 'default@1', action: 'ACTION_WARN' as admin.DailyCount['action'], reason: 'CALL_BURST', count: 12, ...overrides },
  };
}
