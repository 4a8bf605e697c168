import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import type { INestMicroservice } from '@nestjs/common';
import type { carrier } from '@app/contracts';
import type { CarrierEvent } from '@app/domain';
import {
  clientStreaming,
  createGrpcClient,
  grpcMicroserviceOptions,
  loadOrCreateSigningKeys,
  signToken,
  startGrpcApp,
  unary,
  type CarrierId,
  type GrpcApp,
  type GrpcServiceClient,
} from '@app/grpc';
import { createTestDatabase, freePort, type TestDatabase } from '@app/testing';
import { CARRIER_GRPC } from '../src/carrier.grpc';
import { CarrierModule } from '../src/carrier.module';
import { carrierConfig, type CarrierConfig } from '../src/config/carrier.config';

/** A carrier service booted as in production (real module, gRPC on loopback, real PostgreSQL). */
export class CarrierHarness {
  private clients: GrpcServiceClient[] = [];
  private app: GrpcApp | undefined;

  private constructor(
    readonly carrierId: CarrierId,
    readonly db: TestDatabase,
    readonly keyDir: string,
    readonly address: string,
    private readonly env: Record<string, string>,
  ) {}

  /** `env` adds carrier settings (e.g. REGISTRY_ADDRESS); `keyDir` shares a signing key with other services. */
  static async start(carrierId: CarrierId, env: Record<string, string> = {}, keyDir?: string): Promise<CarrierHarness> {
    const db = await createTestDatabase(`carrier_${carrierId}`);
    const keys = keyDir ?? mkdtempSync(join(tmpdir(), 'carrier-keys-'));
    loadOrCreateSigningKeys(keys);
    const harness = new CarrierHarness(carrierId, db, keys, `127.0.0.1:${await freePort()}`, env);
    await harness.boot();
    return harness;
  }

  get config(): CarrierConfig {
    return carrierConfig({ CARRIER_ID: this.carrierId, ...this.env });
  }

  /** The booted Nest application, for tests that reach a provider directly (e.g. to feed the engine). */
  get nestApp(): INestMicroservice {
    if (!this.app) throw new Error('the carrier is not running');
    return this.app.app;
  }

  /** A second carrier process on the same database and signing key (another replica); end it with stop(), not close(). */
  async replica(): Promise<CarrierHarness> {
    const replica = new CarrierHarness(this.carrierId, this.db, this.keyDir, `127.0.0.1:${await freePort()}`, this.env);
    await replica.boot();
    return replica;
  }

  async boot(): Promise<void> {
    process.env[`CARRIER_${this.carrierId}_DATABASE_URL`] = this.db.url;
    process.env.AUTH_KEY_DIR = this.keyDir;
    delete process.env.AUTH_PUBLIC_KEY_FILE;
    // It serves plaintext on loopback, and calls the registry (REGISTRY_ADDRESS) the same way.
    process.env.GRPC_INSECURE = 'true';
    const port = Number(this.address.split(':')[1]);
    const options = grpcMicroserviceOptions({ ...CARRIER_GRPC, host: '127.0.0.1', port, credentials: ServerCredentials.createInsecure() });
    // Metrics on a port of its own: parallel test workers never share one.
    this.app = await startGrpcApp(CarrierModule.forCarrier(this.config, process.env), options, { logger: ['error'], metrics: { host: '127.0.0.1', port: await freePort() } });
  }

  /** `http://host:port/metrics` of the running carrier. */
  get metricsUrl(): string {
    if (!this.app?.metricsAddress) throw new Error('the carrier serves no metrics');
    return `http://${this.app.metricsAddress}/metrics`;
  }

  /** `http://host:port/health` of the running carrier (beside /metrics). */
  get healthUrl(): string {
    return this.metricsUrl.replace(/\/metrics$/, '/health');
  }

  async stop(): Promise<void> {
    this.clients.forEach((c) => c.close());
    this.clients = [];
    await this.app?.close(100);
    this.app = undefined;
  }

  async close(ownKeys = true): Promise<void> {
    await this.stop();
    await this.db.drop();
    if (ownKeys) rmSync(this.keyDir, { recursive: true, force: true });
  }

  token(role: string, subject = role.replace(':', '-')): string {
    return signToken({ subject, role, ttlSeconds: 600 }, loadOrCreateSigningKeys(this.keyDir).privateKey);
  }

  client(role: string | undefined = `carrier:${this.carrierId}`, subject?: string): CarrierClient {
    const raw = createGrpcClient('fraud.carrier.v1.CarrierService', 'fraud/carrier/v1/carrier.proto', this.address, role ? { token: this.token(role, subject) } : {});
    this.clients.push(raw);
    return new CarrierClient(raw);
  }
}

/** Typed calls of fraud.carrier.v1.CarrierService over a real grpc-js client. */
export class CarrierClient {
  constructor(readonly raw: GrpcServiceClient) {}

  /** Streams the batches, then ends the stream and waits for the answer. */
  async ingest(batches: carrier.Event[][]): Promise<carrier.IngestEventsResponse> {
    const call = clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(this.raw, 'ingestEvents');
    for (const events of batches) await call.write({ events });
    call.end();
    return call.response;
  }

  call<Response>(method: string, request: unknown): Promise<Response> {
    return unary<Response>(this.raw, method, request);
  }
}

/** Domain events (fixtures) as wire events, in batches of `size`. */
export function toWire(events: CarrierEvent[], size = 500, idPrefix?: string): carrier.Event[][] {
  const wire = events.map((e, i) => wireEvent(e, idPrefix ? `${idPrefix}-${i}` : ''));
  const batches: carrier.Event[][] = [];
  for (let i = 0; i < wire.length; i += size) batches.push(wire.slice(i, i + size));
  return batches;
}

const PROFILE: Record<string, string> = { none: 'USAGE_PROFILE_NONE', courier: 'USAGE_PROFILE_COURIER', delivery: 'USAGE_PROFILE_DELIVERY', logistics: 'USAGE_PROFILE_LOGISTICS', enterprise: 'USAGE_PROFILE_ENTERPRISE' };

export function wireEvent(e: CarrierEvent, id = ''): carrier.Event {
  const base = { id, atMs: e.at } as carrier.Event;
  switch (e.type) {
    case 'subscriber':
      return { ...base, subscriber: { msisdn: e.msisdn, activatedAtMs: e.activatedAt, realNameVerified: e.realNameVerified, profile: PROFILE[e.profile] as never } };
    case 'call':
      return { ...base, call: { caller: e.caller, callee: e.callee, durationSec: e.durationSec, answered: e.answered, cell: e.cell ?? '' } };
    case 'sms':
      return { ...base, sms: { sender: e.sender, recipient: e.recipient, cell: e.cell ?? '' } };
    case 'location':
      return { ...base, location: { msisdn: e.msisdn, cell: e.cell } };
    case 'report':
      return { ...base, report: { reporter: e.reporter, reported: e.reported, category: `REPORT_CATEGORY_${e.category.toUpperCase()}` as never } };
    default:
      throw new Error(`${e.type} events do not travel on IngestEvents`);
  }
}
