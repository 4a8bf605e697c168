import { generateKeyPairSync } from 'node:crypto';
import { Metadata, ServerCredentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { ConsoleLogger, Controller, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { ConfigModule } from '@app/config';
import { common, registry } from '@app/contracts';
import {
  AUDIT_SINK,
  AUTH_VERIFICATION_KEY,
  AuthGuard,
  CallAdmission,
  createGrpcClient,
  findFreePort,
  grpcMicroserviceOptions,
  Roles,
  RoleKind,
  signToken,
  startGrpcApp,
  type GrpcApp,
  type GrpcServiceClient,
} from '@app/grpc';
import { MetricsModule, ServiceLogger } from '@app/observability';
import { freePort, sampleOf, scrapeMetrics } from '@app/testing';

@Controller()
class ObservedController {
  private readonly logger = new Logger('ObservedController');

  @GrpcMethod('RegistryService', 'checkNumbers')
  @Roles(RoleKind.Police)
  async checkNumbers(request: registry.CheckNumbersRequest): Promise<registry.CheckNumbersResponse> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.logger.log(`looking up ${request.msisdns.length} numbers`);
    if (request.msisdns.includes('boom')) throw new Error('the database went away');
    if (request.msisdns.includes('slow')) await new Promise((resolve) => setTimeout(resolve, 450));
    return { results: [] };
  }

  @GrpcMethod('RegistryService', 'watchChanges')
  @Roles(RoleKind.Police)
  watchChanges(): Observable<registry.WatchChangesResponse> {
    return new Observable((subscriber) => {
      subscriber.next({
        change: {
          version: 1,
          msisdn: '+8619112345678',
          status: common.NumberStatus.NUMBER_STATUS_SUSPECTED,
          previousStatus: 0 as never,
          cause: 0 as never,
          changedAt: undefined,
        },
      });
      subscriber.complete();
    });
  }
}

describe('every gRPC call observed: metrics, request ids, one log line (e2e)', () => {
  const keys = generateKeyPairSync('ed25519');
  const token = signToken({ subject: 'officer-7', role: 'police', ttlSeconds: 600 }, keys.privateKey);
  const lines: Record<string, unknown>[] = [];
  const logger = new ServiceLogger({
    service: 'registry',
    level: 'debug',
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  let server: GrpcApp;
  const clients: GrpcServiceClient[] = [];

  @Module({
    imports: [ConfigModule.forEnv({}), MetricsModule.forService('registry')],
    controllers: [ObservedController],
    providers: [
      { provide: AUDIT_SINK, useValue: { record: () => Promise.resolve() } },
      { provide: AUTH_VERIFICATION_KEY, useValue: keys.publicKey },
      CallAdmission,
      { provide: APP_GUARD, useClass: AuthGuard },
    ],
  })
  class ObservedModule {}

  beforeAll(async () => {
    const options = grpcMicroserviceOptions({
      protoFiles: ['fraud/registry/v1/registry.proto'],
      packages: ['fraud.registry.v1'],
      healthServices: ['fraud.registry.v1.RegistryService'],
      host: '127.0.0.1',
      port: await findFreePort(),
      credentials: ServerCredentials.createInsecure(),
      slowCallMs: 400,
    });
    server = await startGrpcApp(ObservedModule, options, {
      logger,
      metrics: { host: '127.0.0.1', port: await freePort() },
    });
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await server?.close(100);
    Logger.overrideLogger(new ConsoleLogger());
  });
  beforeEach(() => (lines.length = 0));

  const client = (withToken = true): GrpcServiceClient => {
    const c = createGrpcClient(
      'fraud.registry.v1.RegistryService',
      'fraud/registry/v1/registry.proto',
      server.address,
      withToken ? { token } : {},
    );
    clients.push(c);
    return c;
  };
  /** A unary call with a request id; resolves with its error (if any) and the id sent back. */
  const call = (
    c: GrpcServiceClient,
    msisdns: string[],
    requestId?: string,
  ): Promise<{ error: ServiceError | null; echoed: string | undefined }> =>
    new Promise((resolve) => {
      const metadata = new Metadata();
      if (requestId !== undefined) metadata.set('x-request-id', requestId);
      let headers: Metadata | undefined;
      const pending = (
        c as unknown as {
          checkNumbers(
            r: unknown,
            m: Metadata,
            cb: (e: ServiceError | null) => void,
          ): { on(event: 'metadata', l: (m: Metadata) => void): void };
        }
      ).checkNumbers({ msisdns }, metadata, (error) =>
        resolve({ error, echoed: String((headers ?? error?.metadata)?.get('x-request-id')[0] ?? '') || undefined }),
      );
      pending.on('metadata', (m) => (headers = m));
    });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('keeps the call’s request id on every line it writes; logs a successful high-rate call at debug', async () => {
    const { error, echoed } = await call(client(), ['+8619112345678'], 'req-ok-1');
    expect(error).toBeNull();
    expect(echoed).toBe('req-ok-1');
    await settle();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'ObservedController',
        msg: 'looking up 1 numbers',
        request_id: 'req-ok-1',
        service: 'registry',
      }),
      expect.objectContaining({
        level: 'debug',
        context: 'grpc',
        msg: 'call',
        method: 'fraud.registry.v1.RegistryService/CheckNumbers',
        code: 'OK',
        request_id: 'req-ok-1',
        role: 'police',
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('logs a line per failed call with code, duration, request id; server faults at error level, same id', async () => {
    const refused = await call(client(false), ['+8619112345678'], 'req-refused');
    expect(refused.error?.code).toBe(GrpcCode.UNAUTHENTICATED);
    expect(refused.echoed).toBe('req-refused');
    const failed = await call(client(), ['boom']);
    expect(failed.error?.code).toBe(GrpcCode.INTERNAL);
    await settle();
    const calls = lines.filter((l) => l.context === 'grpc');
    expect(calls).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'call failed',
        code: 'UNAUTHENTICATED',
        request_id: 'req-refused',
        duration_ms: expect.any(Number),
      }),
      expect.objectContaining({
        level: 'error',
        msg: 'call failed',
        code: 'INTERNAL',
        request_id: failed.echoed,
        role: 'police',
        details: 'internal error',
      }),
    ]);
    expect(calls[0]).not.toHaveProperty('role');
    // The exception filter's own line (with the stack) belongs to the same call.
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        context: 'GrpcExceptionFilter',
        request_id: failed.echoed,
        stack: expect.stringContaining('the database went away'),
      }),
    );
  });

  it('logs a slow call at warn', async () => {
    await call(client(), ['slow'], 'req-slow');
    await settle();
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'slow call', code: 'OK', request_id: 'req-slow' }),
    );
  });

  it('counts and times unary and streaming calls by method, type and code', async () => {
    await new Promise<void>((resolve, reject) => {
      const stream = client().watchChanges({ sinceVersion: 0 });
      stream.on('data', () => undefined);
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const text = await scrapeMetrics(`http://${server.metricsAddress}/metrics`);
    const check = {
      grpc_service: 'fraud.registry.v1.RegistryService',
      grpc_method: 'CheckNumbers',
      grpc_type: 'unary',
      service: 'registry',
    };
    expect(sampleOf(text, 'grpc_server_handled_total', { ...check, grpc_code: 'OK' })).toBe(2);
    expect(sampleOf(text, 'grpc_server_handled_total', { ...check, grpc_code: 'UNAUTHENTICATED' })).toBe(1);
    expect(sampleOf(text, 'grpc_server_handled_total', { ...check, grpc_code: 'INTERNAL' })).toBe(1);
    expect(sampleOf(text, 'grpc_server_handling_seconds_count', check)).toBe(4);
    expect(sampleOf(text, 'grpc_server_handling_seconds_bucket', { ...check, le: '0.00025' })).toBe(0);
    expect(
      sampleOf(text, 'grpc_server_handled_total', {
        grpc_method: 'WatchChanges',
        grpc_type: 'server_stream',
        grpc_code: 'OK',
      }),
    ).toBe(1);
  });
});
