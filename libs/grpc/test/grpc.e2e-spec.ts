import { generateKeyPairSync } from 'node:crypto';
import { Metadata, ServerCredentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { Controller, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';
import { Observable } from 'rxjs';
import { ConfigModule } from '@app/config';
import { common, registry } from '@app/contracts';
import { DomainError, ErrorKind } from '@app/domain';
import {
  AUDIT_SINK,
  AUTH_VERIFICATION_KEY,
  AuthGuard,
  CallAdmission,
  createGrpcClient,
  DescriptorImage,
  findFreePort,
  grpcMicroserviceOptions,
  principalOf,
  Public,
  RoleKind,
  Roles,
  signToken,
  startGrpcApp,
  unary,
  type GrpcApp,
  type GrpcServiceClient,
  type Principal,
} from '@app/grpc';
import { failureOf, healthCheck, MemoryAuditSink, reflect, reflectStream } from '@app/testing';

class NumberNotFoundError extends DomainError {
  readonly kind = ErrorKind.NotFound;
  constructor(msisdn: string) {
    super(`no record for ${msisdn}`, 'msisdn');
  }
}

class ReplayGoneError extends DomainError {
  readonly kind = ErrorKind.FailedPrecondition;
  constructor() {
    super('since_version is older than the retained change log');
  }
}

const seen: { principal?: Principal } = {};

type DescribedFile = {
  name: string;
  dependency: string[];
  messageType: { name: string; field: { name: string; jsonName: string }[] }[];
  service: { name: string; method: { name: string }[] }[];
};
const BIG_VERSION = 2 ** 40 + 7; // beyond 32 bits: int64 must arrive as the same JS number

/** Two-and-a-bit RegistryService methods from the real proto, each failing on demand. */
@Controller()
class TestRegistryController {
  @GrpcMethod('RegistryService', 'checkNumbers')
  @Roles(RoleKind.Carrier, RoleKind.Police)
  checkNumbers(request: registry.CheckNumbersRequest, metadata: Metadata): registry.CheckNumbersResponse {
    seen.principal = principalOf(metadata);
    if (request.msisdns.includes('boom')) throw new Error('connection to postgres://registry:hunter2@db failed');
    return {
      results: request.msisdns.map((msisdn) => ({
        msisdn,
        status: common.NumberStatus.NUMBER_STATUS_NOT_LISTED,
        version: BIG_VERSION,
      })),
    };
  }

  @GrpcMethod('RegistryService', 'verifyNumber')
  @Roles(RoleKind.Police)
  async verifyNumber(
    request: registry.VerifyNumberRequest,
    metadata: Metadata,
  ): Promise<registry.VerifyNumberResponse> {
    await Promise.resolve();
    if (request.msisdn === '+8619100000000') throw new NumberNotFoundError(request.msisdn);
    if (request.msisdn === 'boom') throw new Error('unexpected');
    return {
      msisdn: request.msisdn,
      status: common.NumberStatus.NUMBER_STATUS_CONFIRMED,
      version: 3,
      replayed: principalOf(metadata).subject === 'officer-7',
    };
  }

  @GrpcMethod('RegistryService', 'watchChanges')
  @Roles(RoleKind.Carrier)
  watchChanges(request: registry.WatchChangesRequest): Observable<registry.WatchChangesResponse> {
    return new Observable((subscriber) => {
      for (let version = request.sinceVersion + 1; version <= request.sinceVersion + 2; version++) {
        subscriber.next({
          change: {
            version,
            msisdn: '+8619112345678',
            status: common.NumberStatus.NUMBER_STATUS_SUSPECTED,
            previousStatus: common.NumberStatus.NUMBER_STATUS_NOT_LISTED,
            cause: registry.ChangeCause.CHANGE_CAUSE_FLAG,
            changedAt: undefined,
          },
        });
      }
      if (request.sinceVersion === 100) subscriber.error(new ReplayGoneError());
      else if (request.sinceVersion === 200) subscriber.error(new Error('cursor exploded'));
      else subscriber.complete();
    });
  }

  /** No @Roles and no @Public: any valid token, none refused. */
  @GrpcMethod('RegistryService', 'getNumberRecord')
  getNumberRecord(request: registry.GetNumberRecordRequest, metadata: Metadata): registry.GetNumberRecordResponse {
    return {
      msisdn: request.msisdn,
      status: common.NumberStatus.NUMBER_STATUS_NOT_LISTED,
      version: 0,
      history: [],
      nextPageToken: principalOf(metadata).role,
    };
  }

  @GrpcMethod('RegistryService', 'verifyAuditChain')
  @Public()
  verifyAuditChain(): registry.VerifyAuditChainResponse {
    return {
      intact: true,
      eventsChecked: 0,
      firstBrokenId: 0,
      fault: registry.AuditChainFault.AUDIT_CHAIN_FAULT_UNSPECIFIED,
      detail: '',
      missingAfterId: 0,
      anchorChecked: undefined,
      anchorPublished: undefined,
      anchorPublicKey: '',
    };
  }
}

describe('gRPC server: auth, errors, health, reflection (e2e)', () => {
  const keys = generateKeyPairSync('ed25519');
  const audit = new MemoryAuditSink();
  const token = (role: string, subject = `${role}-user`, ttlSeconds = 600): string =>
    signToken({ subject, role, ttlSeconds }, keys.privateKey);
  let server: GrpcApp;
  let address: string;
  const clients: GrpcServiceClient[] = [];
  const client = (tokenValue?: string): GrpcServiceClient => {
    const c = createGrpcClient(
      'fraud.registry.v1.RegistryService',
      'fraud/registry/v1/registry.proto',
      address,
      tokenValue === undefined ? {} : { token: tokenValue },
    );
    clients.push(c);
    return c;
  };
  const stream = (
    c: GrpcServiceClient,
    request: registry.WatchChangesRequest,
  ): Promise<{ messages: registry.WatchChangesResponse[]; error?: ServiceError }> =>
    new Promise((resolve) => {
      const messages: registry.WatchChangesResponse[] = [];
      const call = c.watchChanges(request);
      call.on('data', (m: registry.WatchChangesResponse) => messages.push(m));
      call.on('error', (error: ServiceError) => resolve({ messages, error }));
      call.on('end', () => resolve({ messages }));
    });

  @Module({
    imports: [ConfigModule.forEnv({})],
    controllers: [TestRegistryController],
    providers: [
      { provide: AUDIT_SINK, useValue: audit },
      { provide: AUTH_VERIFICATION_KEY, useValue: keys.publicKey },
      CallAdmission,
      { provide: APP_GUARD, useClass: AuthGuard },
    ],
  })
  class TestAppModule {}

  beforeAll(async () => {
    const port = await findFreePort();
    const options = grpcMicroserviceOptions({
      protoFiles: ['fraud/registry/v1/registry.proto'],
      packages: ['fraud.registry.v1'],
      healthServices: ['fraud.registry.v1.RegistryService'],
      host: '127.0.0.1',
      port,
      credentials: ServerCredentials.createInsecure(),
    });
    server = await startGrpcApp(TestAppModule, options, { logger: false });
    address = server.address;
  });

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await server?.close(1000);
  });

  beforeEach(() => {
    audit.entries.length = 0;
    seen.principal = undefined;
  });

  it('refuses a call without a token: UNAUTHENTICATED, audited', async () => {
    expect(await failureOf(unary(client(), 'checkNumbers', { msisdns: ['+8619112345678'] }))).toEqual({
      code: GrpcCode.UNAUTHENTICATED,
      details: 'missing token: send "authorization: Bearer <token>"',
    });
    expect(audit.entries).toEqual([
      {
        actor: '',
        role: '',
        action: 'fraud.registry.v1.RegistryService/CheckNumbers',
        outcome: 'UNAUTHENTICATED',
        detail: { reason: 'missing token: send "authorization: Bearer <token>"', code: 'MISSING_TOKEN' },
      },
    ]);
  });

  it('refuses bad, expired and foreign tokens: UNAUTHENTICATED with the reason, audited', async () => {
    const foreign = signToken(
      { subject: 'mallory', role: 'police', ttlSeconds: 600 },
      generateKeyPairSync('ed25519').privateKey,
    );
    const expired = signToken(
      { subject: 'officer-7', role: 'police', ttlSeconds: 60 },
      keys.privateKey,
      Math.floor(Date.now() / 1000) - 3600,
    );
    expect(await failureOf(unary(client('not-a-token'), 'checkNumbers', { msisdns: [] }))).toEqual({
      code: GrpcCode.UNAUTHENTICATED,
      details: 'invalid token: malformed: not a compact JWT (three base64url parts)',
    });
    expect(await failureOf(unary(client(foreign), 'checkNumbers', { msisdns: [] }))).toEqual({
      code: GrpcCode.UNAUTHENTICATED,
      details: 'invalid token: bad signature',
    });
    expect(await failureOf(unary(client(expired), 'checkNumbers', { msisdns: [] }))).toMatchObject({
      code: GrpcCode.UNAUTHENTICATED,
      details: expect.stringMatching(/^invalid token: expired: expired at /),
    });
    const basic = new Metadata();
    basic.set('authorization', 'Basic dXNlcjpwYXNz');
    expect(await failureOf(unary(client(), 'checkNumbers', { msisdns: [] }, basic))).toEqual({
      code: GrpcCode.UNAUTHENTICATED,
      details: 'invalid token: authorization must be "Bearer <token>"',
    });
    expect(audit.entries.map((e) => [e.outcome, e.detail?.code])).toEqual([
      ['UNAUTHENTICATED', 'INVALID_TOKEN'],
      ['UNAUTHENTICATED', 'INVALID_TOKEN'],
      ['UNAUTHENTICATED', 'INVALID_TOKEN'],
      ['UNAUTHENTICATED', 'INVALID_TOKEN'],
    ]);
  });

  it('refuses a role the RPC does not admit: PERMISSION_DENIED, audited with who and what', async () => {
    expect(
      await failureOf(unary(client(token('analyst', 'analyst-1')), 'checkNumbers', { msisdns: ['+8619112345678'] })),
    ).toEqual({
      code: GrpcCode.PERMISSION_DENIED,
      details: 'role analyst may not call fraud.registry.v1.RegistryService/CheckNumbers',
    });
    const request = {
      idempotencyKey: 'k1',
      msisdn: '+8619112345678',
      outcome: 'VERIFICATION_OUTCOME_CLEARED',
      caseId: 'case-9',
      note: '',
    };
    expect(
      await failureOf(unary(client(token('carrier:CMCC', 'carrier-cmcc')), 'verifyNumber', request)),
    ).toMatchObject({ code: GrpcCode.PERMISSION_DENIED });
    expect(audit.entries).toEqual([
      {
        actor: 'analyst-1',
        role: 'analyst',
        action: 'fraud.registry.v1.RegistryService/CheckNumbers',
        outcome: 'PERMISSION_DENIED',
        detail: {
          reason: 'role analyst may not call fraud.registry.v1.RegistryService/CheckNumbers',
          code: 'ROLE_NOT_ALLOWED',
          allowed: ['carrier', 'police'],
        },
      },
      {
        actor: 'carrier-cmcc',
        role: 'carrier:CMCC',
        action: 'fraud.registry.v1.RegistryService/VerifyNumber',
        target: '+8619112345678',
        caseId: 'case-9',
        outcome: 'PERMISSION_DENIED',
        detail: {
          reason: 'role carrier:CMCC may not call fraud.registry.v1.RegistryService/VerifyNumber',
          code: 'ROLE_NOT_ALLOWED',
          allowed: ['police'],
        },
      },
    ]);
  });

  it('admits the right roles and hands the principal to the handler; proto shapes match ts-proto', async () => {
    const response = await unary<registry.CheckNumbersResponse>(
      client(token('carrier:CMCC', 'carrier-cmcc')),
      'checkNumbers',
      { msisdns: ['+8619112345678'] },
    );
    expect(response).toEqual({
      results: [{ msisdn: '+8619112345678', status: 'NUMBER_STATUS_NOT_LISTED', version: BIG_VERSION }],
    });
    expect(seen.principal).toEqual({
      subject: 'carrier-cmcc',
      role: 'carrier:CMCC',
      kind: RoleKind.Carrier,
      scope: 'CMCC',
      expiresAt: expect.any(Number),
    });

    const verified = await unary<registry.VerifyNumberResponse>(client(token('police', 'officer-7')), 'verifyNumber', {
      msisdn: '+8619112345679',
      caseId: 'c1',
    });
    expect(verified).toEqual({
      msisdn: '+8619112345679',
      status: 'NUMBER_STATUS_CONFIRMED',
      version: 3,
      replayed: true,
    });
    expect(audit.entries).toEqual([]);
  });

  it('carries a batch of 10,000 numbers', async () => {
    const msisdns = Array.from({ length: 10_000 }, (_, i) => `+86191${String(i).padStart(8, '0')}`);
    const response = await unary<registry.CheckNumbersResponse>(client(token('police')), 'checkNumbers', { msisdns });
    expect(response.results).toHaveLength(10_000);
    expect(response.results[9_999]!.msisdn).toBe(msisdns[9_999]);
  });

  it('sends a DomainError as its status with its message (sync and async handlers)', async () => {
    expect(await failureOf(unary(client(token('police')), 'verifyNumber', { msisdn: '+8619100000000' }))).toEqual({
      code: GrpcCode.NOT_FOUND,
      details: 'msisdn: no record for +8619100000000',
    });
  });

  it('sends anything else as INTERNAL "internal error", never the internals', async () => {
    expect(await failureOf(unary(client(token('police')), 'checkNumbers', { msisdns: ['boom'] }))).toEqual({
      code: GrpcCode.INTERNAL,
      details: 'internal error',
    });
    expect(await failureOf(unary(client(token('police')), 'verifyNumber', { msisdn: 'boom' }))).toEqual({
      code: GrpcCode.INTERNAL,
      details: 'internal error',
    });
  });

  it('streams, and ends a server stream with the error status (domain, unknown, unauthenticated)', async () => {
    const carrier = client(token('carrier:CTCC'));
    const ok = await stream(carrier, { sinceVersion: 7 });
    expect(ok.error).toBeUndefined();
    expect(ok.messages.map((m) => m.change?.version)).toEqual([8, 9]);
    expect(ok.messages[0]!.change).toMatchObject({ status: 'NUMBER_STATUS_SUSPECTED', cause: 'CHANGE_CAUSE_FLAG' });

    const gone = await stream(carrier, { sinceVersion: 100 });
    expect(gone.messages).toHaveLength(2);
    expect(gone.error).toMatchObject({
      code: GrpcCode.FAILED_PRECONDITION,
      details: 'since_version is older than the retained change log',
    });

    const broken = await stream(carrier, { sinceVersion: 200 });
    expect(broken.error).toMatchObject({ code: GrpcCode.INTERNAL, details: 'internal error' });

    const anonymous = await stream(client(), { sinceVersion: 0 });
    expect(anonymous.messages).toEqual([]);
    expect(anonymous.error).toMatchObject({ code: GrpcCode.UNAUTHENTICATED });
    expect(audit.entries).toMatchObject([
      { action: 'fraud.registry.v1.RegistryService/WatchChanges', outcome: 'UNAUTHENTICATED' },
    ]);
  });

  it('requires a token, of any role, on handlers without @Roles; none on @Public handlers', async () => {
    expect(
      await failureOf(unary(client(), 'getNumberRecord', { msisdn: '+8619112345678', purpose: 'complaint' })),
    ).toMatchObject({ code: GrpcCode.UNAUTHENTICATED });
    expect(audit.entries).toMatchObject([
      { action: 'fraud.registry.v1.RegistryService/GetNumberRecord', target: '+8619112345678', purpose: 'complaint' },
    ]);
    const record = await unary<registry.GetNumberRecordResponse>(client(token('auditor')), 'getNumberRecord', {
      msisdn: '+8619112345678',
    });
    expect(record.nextPageToken).toBe('auditor');
    expect(await unary(client(), 'verifyAuditChain', {})).toMatchObject({
      intact: true,
      eventsChecked: 0,
      firstBrokenId: 0,
    });
  });

  it('answers UNIMPLEMENTED for RPCs of the proto without a handler', async () => {
    expect(await failureOf(unary(client(token('auditor')), 'listAuditEvents', {}))).toMatchObject({
      code: GrpcCode.UNIMPLEMENTED,
    });
  });

  it('answers health checks without a token: SERVING for the server and its service', async () => {
    expect(await healthCheck(address, '')).toBe('SERVING');
    expect(await healthCheck(address, 'fraud.registry.v1.RegistryService')).toBe('SERVING');
    await expect(healthCheck(address, 'fraud.nothing.v1.NoService')).rejects.toMatchObject({
      code: GrpcCode.NOT_FOUND,
    });
  });

  it.each(['v1', 'v1alpha'] as const)(
    'lists its services and serves buf’s descriptors by reflection %s, without a token',
    async (version) => {
      const [listed, described, health] = await reflectStream(
        address,
        [
          { listServices: '*' },
          { fileContainingSymbol: 'fraud.registry.v1.RegistryService' },
          { fileContainingSymbol: 'grpc.health.v1.Health' },
        ],
        version,
      );
      expect(listed!.listServicesResponse!.service.map((s) => s.name)).toEqual([
        'fraud.registry.v1.RegistryService',
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]);
      const files = described!.fileDescriptorResponse!.fileDescriptorProto.map(
        (bytes) => FileDescriptorProto.decode(bytes) as unknown as DescribedFile,
      );
      expect(files.map((f) => [f.name, f.dependency])).toEqual([
        ['fraud/registry/v1/registry.proto', ['fraud/common/v1/common.proto', 'google/protobuf/timestamp.proto']],
        ['fraud/common/v1/common.proto', ['google/protobuf/timestamp.proto']],
        ['google/protobuf/timestamp.proto', []],
      ]);
      expect(files[0]!.service[0]!.method.map((m) => m.name)).toContain('CheckNumbers');
      // Field names as written in proto/, json_name as protoc sets it.
      const evidence = files[1]!.messageType.find((m) => m.name === 'Evidence')!;
      expect(evidence.field.map((f) => [f.name, f.jsonName])).toContainEqual(['window_start', 'windowStart']);
      // Byte for byte the committed buf image.
      const image = DescriptorImage.load();
      expect(described!.fileDescriptorResponse!.fileDescriptorProto.map((b) => Buffer.from(b))).toEqual(
        files.map((f) => image.file(f.name)!.bytes),
      );
      const [healthFile] = health!.fileDescriptorResponse!.fileDescriptorProto.map(
        (bytes) => FileDescriptorProto.decode(bytes) as unknown as DescribedFile,
      );
      expect(healthFile!.name).toBe('grpc/health/v1/health.proto');
    },
  );

  it('answers unservable reflection requests NOT_FOUND on the stream, and an empty one INVALID_ARGUMENT', async () => {
    const [file, symbol, extension, numbers] = await reflectStream(address, [
      { fileByFilename: 'fraud/admin/v1/admin.proto' },
      { fileContainingSymbol: 'fraud.admin.v1.AdminService' },
      { fileContainingExtension: { containingType: 'fraud.common.v1.Evidence', extensionNumber: 100 } },
      { allExtensionNumbersOfType: 'fraud.common.v1.Evidence' },
    ]);
    expect(file!.errorResponse).toEqual({
      errorCode: GrpcCode.NOT_FOUND,
      errorMessage: 'file not found: fraud/admin/v1/admin.proto',
    });
    expect(symbol!.errorResponse).toEqual({
      errorCode: GrpcCode.NOT_FOUND,
      errorMessage: 'symbol not found: fraud.admin.v1.AdminService',
    });
    expect(extension!.errorResponse).toEqual({
      errorCode: GrpcCode.NOT_FOUND,
      errorMessage: 'extension not found: fraud.common.v1.Evidence(100)',
    });
    expect(numbers!.allExtensionNumbersResponse).toEqual({
      baseTypeName: 'fraud.common.v1.Evidence',
      extensionNumber: [],
    });
    await expect(reflect(address, { host: 'localhost' }, 'v1alpha')).rejects.toMatchObject({
      code: GrpcCode.INVALID_ARGUMENT,
    });
  });
});

describe('gRPC server without handlers of its own (e2e)', () => {
  @Module({})
  class EmptyAppModule {}

  it('serves health and reflection only, and drains to NOT_SERVING then closed', async () => {
    const port = await findFreePort();
    const app = await startGrpcApp(
      EmptyAppModule,
      grpcMicroserviceOptions({
        protoFiles: [],
        packages: [],
        healthServices: [],
        host: '127.0.0.1',
        port,
        credentials: ServerCredentials.createInsecure(),
      }),
      { logger: false },
    );
    try {
      expect(await healthCheck(app.address, '')).toBe('SERVING');
      const listed = await reflect(app.address, { listServices: '*' });
      expect(listed.listServicesResponse!.service.map((s) => s.name)).toEqual([
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]);
      app.health.setNotServing();
      expect(await healthCheck(app.address, '')).toBe('NOT_SERVING');
    } finally {
      await app.close(1000);
    }
    await expect(healthCheck(app.address, '')).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
  });

  it('serves the admin’s services only: not CarrierService, whose proto admin.proto imports for types', async () => {
    const port = await findFreePort();
    const app = await startGrpcApp(
      EmptyAppModule,
      grpcMicroserviceOptions({
        protoFiles: ['fraud/admin/v1/admin.proto'],
        packages: ['fraud.admin.v1'],
        healthServices: ['fraud.admin.v1.AdminService'],
        host: '127.0.0.1',
        port,
        credentials: ServerCredentials.createInsecure(),
      }),
      { logger: false },
    );
    const carrier = createGrpcClient('fraud.carrier.v1.CarrierService', 'fraud/carrier/v1/carrier.proto', app.address);
    try {
      const [listed, carrierFile] = await reflectStream(
        app.address,
        [{ listServices: '*' }, { fileContainingSymbol: 'fraud.carrier.v1.CarrierService' }],
        'v1alpha',
      );
      expect(listed!.listServicesResponse!.service.map((s) => s.name)).toEqual([
        'fraud.admin.v1.AdminService',
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]);
      // Still served as a file: admin.proto's types need it.
      const names = carrierFile!.fileDescriptorResponse!.fileDescriptorProto.map(
        (bytes) => (FileDescriptorProto.decode(bytes) as unknown as DescribedFile).name,
      );
      expect(names[0]).toBe('fraud/carrier/v1/carrier.proto');
      await expect(unary(carrier, 'checkCall', {})).rejects.toMatchObject({ code: GrpcCode.UNIMPLEMENTED });
    } finally {
      carrier.close();
      await app.close(1000);
    }
  });

  it('refuses to start with a health service it does not serve', () => {
    expect(() =>
      grpcMicroserviceOptions({
        protoFiles: [],
        packages: [],
        healthServices: ['fraud.admin.v1.AdminService'],
        host: '127.0.0.1',
        port: 1,
        credentials: ServerCredentials.createInsecure(),
      }),
    ).toThrow('health service fraud.admin.v1.AdminService is not served: it is not a service of (no proto files)');
    expect(() =>
      grpcMicroserviceOptions({
        protoFiles: ['fraud/admin/v1/admin.proto'],
        packages: ['fraud.admin.v1'],
        healthServices: ['fraud.carrier.v1.CarrierService'],
        host: '127.0.0.1',
        port: 1,
        credentials: ServerCredentials.createInsecure(),
      }),
    ).toThrow(
      'health service fraud.carrier.v1.CarrierService is not served: ' +
        'it is not a service of fraud.admin.v1 in fraud/admin/v1/admin.proto',
    );
  });
});
