import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, ServerCredentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { registry } from '@app/contracts';
import {
  createGrpcClient,
  grpcMicroserviceOptions,
  loadOrCreateSigningKeys,
  signToken,
  startGrpcApp,
  unary,
  type GrpcApp,
  type GrpcServiceClient,
} from '@app/grpc';
import { DatabaseConnection } from '@app/persistence';
import { createTestDatabase, freePort, type TestDatabase } from '@app/testing';
import { REGISTRY_GRPC } from '../src/registry.grpc';
import { RegistryModule } from '../src/registry.module';

/** A registry booted as in production (real module, real gRPC on loopback, real PostgreSQL). */
export class RegistryHarness {
  private clients: GrpcServiceClient[] = [];

  private constructor(
    readonly db: TestDatabase,
    readonly keyDir: string,
    private readonly ownsKeys: boolean,
    private app: GrpcApp | undefined,
    readonly address: string,
    private readonly databaseUrl: string,
  ) {}

  /**
   * `keyDir` shares a signing key with other services (e.g. a carrier calling this registry); else one of its own.
   * `reach` gives the URL the registry is given for its database (e.g. through a TcpProxy a test can cut).
   */
  static async start(keyDir?: string, options: { reach?: (url: string) => string } = {}): Promise<RegistryHarness> {
    const db = await createTestDatabase('registry');
    const keys = keyDir ?? mkdtempSync(join(tmpdir(), 'registry-keys-'));
    loadOrCreateSigningKeys(keys);
    const port = await freePort();
    const harness = new RegistryHarness(db, keys, keyDir === undefined, undefined, `127.0.0.1:${port}`, options.reach?.(db.url) ?? db.url);
    await harness.boot();
    return harness;
  }

  /** A second registry process on the same database and signing key (another replica); end it with stop(), not close(). */
  async replica(): Promise<RegistryHarness> {
    const replica = new RegistryHarness(this.db, this.keyDir, false, undefined, `127.0.0.1:${await freePort()}`, this.databaseUrl);
    await replica.boot();
    return replica;
  }

  /** Starts (again) on the same database: a restart keeps the data. */
  async boot(): Promise<void> {
    process.env.REGISTRY_DATABASE_URL = this.databaseUrl;
    process.env.AUTH_KEY_DIR = this.keyDir;
    delete process.env.AUTH_PUBLIC_KEY_FILE;
    const port = Number(this.address.split(':')[1]);
    const options = grpcMicroserviceOptions({ ...REGISTRY_GRPC, host: '127.0.0.1', port, credentials: ServerCredentials.createInsecure() });
    // Metrics on a port of its own: parallel test workers never share one.
    this.app = await startGrpcApp(RegistryModule.forEnv(process.env), options, { logger: ['error'], metrics: { host: '127.0.0.1', port: await freePort() } });
  }

  /** The URL the running registry's pool uses: its application role, not the owner (`db.url`). */
  get appDatabaseUrl(): string {
    if (!this.app) throw new Error('the registry is not running');
    return this.app.app.get(DatabaseConnection, { strict: false }).url;
  }

  /** The running Nest application, for tests that reach a provider directly. */
  get nestApp(): GrpcApp['app'] {
    if (!this.app) throw new Error('the registry is not running');
    return this.app.app;
  }

  /** `http://host:port/metrics` of the running registry. */
  get metricsUrl(): string {
    if (!this.app?.metricsAddress) throw new Error('the registry serves no metrics');
    return `http://${this.app.metricsAddress}/metrics`;
  }

  /** `http://host:port/health` of the running registry (beside /metrics). */
  get healthUrl(): string {
    return this.metricsUrl.replace(/\/metrics$/, '/health');
  }

  async stop(): Promise<void> {
    this.clients.forEach((c) => c.close());
    this.clients = [];
    await this.app?.close(100);
    this.app = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.db.drop();
    if (this.ownsKeys) rmSync(this.keyDir, { recursive: true, force: true });
  }

  token(role: string, subject = role.replace(':', '-'), ttlSeconds = 600): string {
    return signToken({ subject, role, ttlSeconds }, loadOrCreateSigningKeys(this.keyDir).privateKey);
  }

  /** A client calling as `role` (no token when role is undefined). */
  client(role?: string, subject?: string): RegistryClient {
    const raw = createGrpcClient('fraud.registry.v1.RegistryService', 'fraud/registry/v1/registry.proto', this.address, role ? { token: this.token(role, subject) } : {});
    this.clients.push(raw);
    return new RegistryClient(raw);
  }
}

/** Typed calls of fraud.registry.v1.RegistryService over a real grpc-js client. */
export class RegistryClient {
  constructor(readonly raw: GrpcServiceClient) {}

  submitFlags(request: registry.SubmitFlagsRequest): Promise<registry.SubmitFlagsResponse> {
    return unary(this.raw, 'submitFlags', request);
  }

  checkNumbers(request: registry.CheckNumbersRequest): Promise<registry.CheckNumbersResponse> {
    return unary(this.raw, 'checkNumbers', request);
  }

  getNumberRecord(request: Partial<registry.GetNumberRecordRequest>): Promise<registry.GetNumberRecordResponse> {
    return unary(this.raw, 'getNumberRecord', request);
  }

  verifyNumber(request: Partial<registry.VerifyNumberRequest>): Promise<registry.VerifyNumberResponse> {
    return unary(this.raw, 'verifyNumber', request);
  }

  listAuditEvents(request: Partial<registry.ListAuditEventsRequest>): Promise<registry.ListAuditEventsResponse> {
    return unary(this.raw, 'listAuditEvents', request);
  }

  verifyAuditChain(): Promise<registry.VerifyAuditChainResponse> {
    return unary(this.raw, 'verifyAuditChain', {});
  }

  watchChanges(sinceVersion: number): ClientReadableStream<registry.WatchChangesResponse> {
    return (this.raw as unknown as { watchChanges(r: registry.WatchChangesRequest, m: Metadata): ClientReadableStream<registry.WatchChangesResponse> }).watchChanges(
      { sinceVersion },
      new Metadata(),
    );
  }

  /** Reads the stream until `count` changes arrived, then cancels it. */
  async collectChanges(sinceVersion: number, count: number, timeoutMs = 20_000): Promise<registry.StatusChange[]> {
    const stream = this.watchChanges(sinceVersion);
    const changes: registry.StatusChange[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.cancel();
        reject(new Error(`only ${changes.length} of ${count} changes arrived`));
      }, timeoutMs);
      stream.on('data', (message: registry.WatchChangesResponse) => {
        if (message.change) changes.push(message.change);
        if (changes.length === count) {
          clearTimeout(timer);
          stream.cancel();
          resolve(changes);
        }
      });
      stream.on('error', (error: ServiceError) => {
        if (changes.length < count) {
          clearTimeout(timer);
          reject(error);
        }
      });
    });
  }
}

/** The status and details of a failed call, for `expect(...).rejects.toMatchObject(grpcError(...))`. */
export function grpcError(code: number, details?: string | RegExp): Record<string, unknown> {
  return details === undefined ? { code } : { code, details: typeof details === 'string' ? expect.stringContaining(details) : expect.stringMatching(details) };
}

let sequence = 0;

/** A valid flag for a number, unique key unless given. */
export function aFlag(msisdn: string, overrides: Partial<registry.Flag> = {}): registry.Flag {
  const observedAt = new Date(Date.now() - 60_000);
  return {
    idempotencyKey: `test-${process.pid}-${++sequence}`,
    msisdn,
    source: 'carrier:CTCC',
    reasonCodes: ['CALL_BURST'],
    score: 0.7,
    evidence: {
      summary: '26 calls to 24 numbers in 85 minutes',
      windowStart: { seconds: Math.floor(observedAt.getTime() / 1000) - 5100, nanos: 0 },
      windowEnd: { seconds: Math.floor(observedAt.getTime() / 1000), nanos: 0 },
      measures: [{ name: 'calls_90m', value: 26, threshold: 20 }],
      cells: [{ cell: '460-11-23456-1', at: { seconds: Math.floor(observedAt.getTime() / 1000) - 600, nanos: 0 }, activity: 'call' }],
    },
    observedAt: { seconds: Math.floor(observedAt.getTime() / 1000), nanos: 0 },
    ...overrides,
  };
}

/** Distinct valid numbers: 191 segment, from a base. */
export function numbers(count: number, base = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+86191${String(base + i).padStart(8, '0')}`);
}
