import { generateKeyPairSync } from 'node:crypto';
import {
  Metadata,
  ServerCredentials,
  status as GrpcCode,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { ConfigModule } from '@app/config';
import { common, registry } from '@app/contracts';
import {
  AUDIT_SINK,
  AUTH_OWN_PROVINCE,
  AUTH_VERIFICATION_KEY,
  CALL_ADMISSION,
  CLIENT_LIMITS,
  createGrpcClient,
  findFreePort,
  grpcMicroserviceOptions,
  RoleKind,
  Roles,
  signToken,
  startGrpcApp,
  unary,
  type GrpcApp,
  type GrpcServiceClient,
} from '@app/grpc';
import { failureOf, MemoryAuditSink } from '@app/testing';

/** Calls of checkNumbers with this number wait until the test lets them go. */
const HOLD = '+8619100000001';
const held: (() => void)[] = [];

@Controller()
class AdmissionTestController {
  @GrpcMethod('RegistryService', 'checkNumbers')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Police)
  async checkNumbers(request: registry.CheckNumbersRequest): Promise<registry.CheckNumbersResponse> {
    if (request.msisdns.includes(HOLD)) await new Promise<void>((resolve) => held.push(resolve));
    return {
      results: request.msisdns.map((msisdn) => ({
        msisdn,
        status: common.NumberStatus.NUMBER_STATUS_NOT_LISTED,
        version: 1,
      })),
    };
  }

  @GrpcMethod('RegistryService', 'getNumberRecord')
  @Roles(RoleKind.Police)
  getNumberRecord(request: registry.GetNumberRecordRequest): registry.GetNumberRecordResponse {
    return {
      msisdn: request.msisdn,
      status: common.NumberStatus.NUMBER_STATUS_NOT_LISTED,
      version: 0,
      history: [],
      nextPageToken: '',
    };
  }

  /** Never ends, and never waits for its reader: one change per turn of the event loop. */
  @GrpcMethod('RegistryService', 'watchChanges')
  @Roles(RoleKind.Carrier, RoleKind.Admin)
  watchChanges(request: registry.WatchChangesRequest): Observable<registry.WatchChangesResponse> {
    return new Observable((subscriber) => {
      let version = request.sinceVersion;
      let timer: NodeJS.Immediate;
      const next = (): void => {
        version++;
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
        timer = setImmediate(next);
      };
      timer = setImmediate(next);
      return () => clearImmediate(timer);
    });
  }
}

/** Resolves with the stream's end: its status, and how many changes came before. */
const ending = (call: ClientReadableStream<unknown>): Promise<{ code: number; details: string; received: number }> =>
  new Promise((resolve) => {
    let received = 0;
    call.on('data', () => received++);
    call.on('error', (error: ServiceError) => resolve({ code: error.code, details: error.details, received }));
    call.on('end', () => resolve({ code: GrpcCode.OK, details: '', received }));
  });

describe('admission: province scope, clean text, well-formed messages, client limits, stream tokens (e2e)', () => {
  const keys = generateKeyPairSync('ed25519');
  const audit = new MemoryAuditSink();
  const token = (role: string, ttlSeconds = 600): string =>
    signToken({ subject: `${role.replace(':', '-')}-user`, role, ttlSeconds }, keys.privateKey);
  let server: GrpcApp;
  const clients: GrpcServiceClient[] = [];
  const client = (tokenValue?: string): GrpcServiceClient => {
    const c = createGrpcClient(
      'fraud.registry.v1.RegistryService',
      'fraud/registry/v1/registry.proto',
      server.address,
      tokenValue === undefined ? {} : { token: tokenValue },
    );
    clients.push(c);
    return c;
  };
  @Module({
    // Streams end when their token does, to the second: no clock skew allowed here.
    imports: [ConfigModule.forEnv({ AUTH_CLOCK_SKEW_SEC: '0' })],
    controllers: [AdmissionTestController],
    providers: [
      { provide: AUDIT_SINK, useValue: audit },
      { provide: AUTH_VERIFICATION_KEY, useValue: keys.publicKey },
      { provide: AUTH_OWN_PROVINCE, useValue: 'sichuan' },
      { provide: CLIENT_LIMITS, useValue: { callsPerClient: 2, streamsPerClient: 2, streamBuffer: 50 } },
      ...CALL_ADMISSION,
    ],
  })
  class AdmissionTestModule {}

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
    server = await startGrpcApp(AdmissionTestModule, options, { logger: false });
  });

  afterAll(async () => {
    held.splice(0).forEach((release) => release());
    clients.forEach((c) => c.close());
    await server?.close(1000);
  });

  beforeEach(() => {
    audit.entries.length = 0;
  });

  it("refuses another province's administration, audited, and admits its own", async () => {
    expect(
      await failureOf(unary(client(token('admin:beijing')), 'checkNumbers', { msisdns: ['+8619112345678'] })),
    ).toEqual({
      code: GrpcCode.PERMISSION_DENIED,
      details: 'role admin:beijing may not act in province sichuan',
    });
    expect(audit.entries).toEqual([
      expect.objectContaining({
        actor: 'admin-beijing-user',
        role: 'admin:beijing',
        outcome: 'PERMISSION_DENIED',
        detail: expect.objectContaining({ ownProvince: 'sichuan' }),
      }),
    ]);
    await expect(
      unary(client(token('admin:sichuan')), 'checkNumbers', { msisdns: ['+8619112345678'] }),
    ).resolves.toMatchObject({ results: [{ msisdn: '+8619112345678' }] });
  });

  it('refuses control characters in any text field, naming it, and audits the refusal with the caller', async () => {
    expect(
      await failureOf(
        unary(client(token('police')), 'checkNumbers', { msisdns: ['+8619112345678', '1391234\u00005678'] }),
      ),
    ).toEqual({
      code: GrpcCode.INVALID_ARGUMENT,
      details: 'msisdns[1]: must not contain control characters (such as NUL)',
    });
    expect(
      await failureOf(
        unary(client(token('police')), 'getNumberRecord', { msisdn: '13912345678', purpose: 'appeal\u001b[2J' }),
      ),
    ).toMatchObject({
      code: GrpcCode.INVALID_ARGUMENT,
      details: 'purpose: must not contain control characters (such as NUL)',
    });
    expect(audit.entries[0]).toMatchObject({
      actor: 'police-user',
      role: 'police',
      outcome: 'INVALID_ARGUMENT',
      detail: { reason: 'msisdns[1]: must not contain control characters (such as NUL)' },
    });
    expect(audit.entries[1]).toMatchObject({
      outcome: 'INVALID_ARGUMENT',
      target: '13912345678',
      purpose: 'appeal\u001b[2J',
    });
  });

  it('refuses a truncated message and one with invalid UTF-8, instead of decoding what is there', async () => {
    const raw = (bytes: Buffer): Promise<unknown> => {
      const c = client(token('police'));
      return new Promise((resolve, reject) =>
        c.makeUnaryRequest(
          '/fraud.registry.v1.RegistryService/CheckNumbers',
          () => bytes,
          (b: Buffer) => b,
          Buffer.alloc(0),
          new Metadata(),
          {},
          (error, value) => (error ? reject(error) : resolve(value)),
        ),
      );
    };
    // msisdns: a string of 11 bytes announced, 4 sent.
    expect(await failureOf(raw(Buffer.from('0a0b31333931', 'hex')))).toEqual({
      code: GrpcCode.INVALID_ARGUMENT,
      details:
        'the request is not a well-formed CheckNumbersRequest message: ' +
        'string field of 11 bytes runs past the end of the message (6 bytes)',
    });
    expect(await failureOf(raw(Buffer.from('0a0231ff', 'hex')))).toEqual({
      code: GrpcCode.INVALID_ARGUMENT,
      details: 'the request is not a well-formed CheckNumbersRequest message: string field is not valid UTF-8',
    });
    expect(audit.entries).toEqual([
      expect.objectContaining({
        action: 'fraud.registry.v1.RegistryService/CheckNumbers',
        outcome: 'INVALID_ARGUMENT',
        detail: expect.objectContaining({ code: 'MALFORMED_MESSAGE' }),
      }),
      expect.objectContaining({
        outcome: 'INVALID_ARGUMENT',
        detail: expect.objectContaining({ reason: expect.stringContaining('not valid UTF-8') }),
      }),
    ]);
  });

  it('holds one client to its share of calls in flight, and lets it go on once they are done', async () => {
    const police = client(token('police'));
    const first = unary(police, 'checkNumbers', { msisdns: [HOLD] });
    const second = unary(police, 'checkNumbers', { msisdns: [HOLD] });
    while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await failureOf(unary(police, 'checkNumbers', { msisdns: ['+8619112345678'] }))).toMatchObject({
      code: GrpcCode.RESOURCE_EXHAUSTED,
      details: 'police (police-user) already has 2 calls in flight, the most one client may have',
    });
    // Another client is not held back by the first one's share.
    await expect(
      unary(client(token('carrier:CMCC')), 'checkNumbers', { msisdns: ['+8619112345678'] }),
    ).resolves.toBeDefined();
    expect(audit.entries).toEqual([
      expect.objectContaining({
        actor: 'police-user',
        outcome: 'RESOURCE_EXHAUSTED',
        detail: expect.objectContaining({ code: 'TOO_MANY_CALLS' }),
      }),
    ]);
    held.splice(0).forEach((release) => release());
    await Promise.all([first, second]);
    await expect(unary(police, 'checkNumbers', { msisdns: ['+8619112345678'] })).resolves.toBeDefined();
  });

  it('holds one client to its share of open streams', async () => {
    const carrier = client(token('carrier:CMCC'));
    const open = [
      carrier.watchChanges({ sinceVersion: 0 }),
      carrier.watchChanges({ sinceVersion: 0 }),
    ] as ClientReadableStream<unknown>[];
    const ends = open.map(ending);
    await new Promise((resolve) => open[1].once('data', resolve));
    const third = ending(carrier.watchChanges({ sinceVersion: 0 }));
    expect(await third).toMatchObject({
      code: GrpcCode.RESOURCE_EXHAUSTED,
      details: 'carrier:CMCC (carrier-CMCC-user) already has 2 streams open, the most one client may hold',
    });
    open[0].cancel();
    await ends[0];
    // The server hears of the cancellation a moment after the client: the slot comes free then.
    for (;;) {
      const again = carrier.watchChanges({ sinceVersion: 0 }) as ClientReadableStream<unknown>;
      const first = await new Promise<'data' | ServiceError>((resolve) => {
        again.once('data', () => resolve('data'));
        again.once('error', resolve);
      });
      again.cancel();
      if (first === 'data') break;
      expect(first.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    open[1].cancel();
    await Promise.all(ends);
  });

  it('ends a stream whose client stopped reading once its queue is full, not buffering without bound', async () => {
    const call = client(token('carrier:CTCC')).watchChanges({ sinceVersion: 0 }) as ClientReadableStream<unknown>;
    await new Promise((resolve) => call.once('data', resolve));
    call.pause();
    while (!audit.entries.some((e) => e.outcome === 'RESOURCE_EXHAUSTED'))
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(audit.entries).toEqual([
      expect.objectContaining({
        role: 'carrier:CTCC',
        outcome: 'RESOURCE_EXHAUSTED',
        detail: expect.objectContaining({ code: 'NOT_READING' }),
      }),
    ]);
    const end = ending(call);
    call.resume();
    expect(await end).toMatchObject({
      code: GrpcCode.RESOURCE_EXHAUSTED,
      details: 'the client has not read the last 50 messages of this stream: open it again and resume',
    });
  });

  it('ends a stream with UNAUTHENTICATED when the token it was opened with expires', async () => {
    const end = await ending(
      client(token('carrier:CUCC', 1)).watchChanges({ sinceVersion: 0 }) as ClientReadableStream<unknown>,
    );
    expect(end).toMatchObject({
      code: GrpcCode.UNAUTHENTICATED,
      details: expect.stringMatching(/^token expired at .*: open the stream again with a renewed token$/),
    });
    expect(end.received).toBeGreaterThan(0);
    expect(audit.entries).toEqual([
      expect.objectContaining({
        role: 'carrier:CUCC',
        outcome: 'UNAUTHENTICATED',
        detail: expect.objectContaining({ code: 'TOKEN_EXPIRED' }),
      }),
    ]);
  });
});
