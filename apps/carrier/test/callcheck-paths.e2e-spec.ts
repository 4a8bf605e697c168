import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Metadata, status as GrpcCode, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { createGrpcClient, Roles, type GrpcServiceClient } from '@app/grpc';
import { parseExposition, scrapeMetrics, ServiceHarness, type ServiceDefinition } from '@app/testing';
import { CheckCallRpc, CHECK_CALL_ROLES } from '../src/callcheck/callcheck.rpc';
import { CallCheckModule } from '../src/callcheck/callcheck.module';
import { CallCheckService } from '../src/callcheck/callcheck.service';
import { CARRIER_GRPC } from '../src/carrier.grpc';
import { CarrierModule } from '../src/carrier.module';
import { carrierConfig } from '../src/config/carrier.config';
import { carrierDatabase } from '../src/database';
import { probe } from '../../../scripts/security/probe';

/** CheckCall as a Nest handler (guard, interceptors, exception filter): the route the plain handler replaced. */
@Controller()
@Roles(...CHECK_CALL_ROLES)
class NestRoutedCheckCall {
  constructor(private readonly calls: CallCheckService) {}

  @GrpcMethod('CarrierService', 'CheckCall')
  checkCall(request: carrier.CheckCallRequest): carrier.CheckCallResponse {
    return this.calls.check(request.caller, request.callee);
  }
}

@Module({ imports: [CallCheckModule], controllers: [NestRoutedCheckCall] })
class NestRoutedCheckCallModule {}

function carrierDefinition(nestRouted: boolean): ServiceDefinition {
  return {
    database: carrierDatabase,
    instance: 'CTCC',
    // The Nest-routed carrier serves no plain handler: its CheckCall is NestRoutedCheckCall.
    grpc: nestRouted ? { ...CARRIER_GRPC, plainRpcs: [] } : CARRIER_GRPC,
    env: { CARRIER_ID: 'CTCC' },
    module: (env, clock): DynamicModule => {
      const module = CarrierModule.forCarrier(carrierConfig(env), env, clock);
      return nestRouted ? { ...module, imports: [...(module.imports ?? []), NestRoutedCheckCallModule] } : module;
    },
  };
}

/** One CheckCall as a switch, or an intruder, may send it. */
interface Case {
  name: string;
  /** Every `authorization` value sent, as sent. */
  authorization: string[];
  request: carrier.CheckCallRequest;
  /** Bytes sent in place of the encoded request: a message that does not decode. */
  bytes?: Buffer;
  requestId?: string;
}

/** What a caller sees of a call, and where the request id came back (response headers, or trailers only). */
interface Outcome {
  code: number;
  details: string;
  response?: carrier.CheckCallResponse;
  requestId: string | undefined;
  requestIdIn: 'headers' | 'trailers' | 'none';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function callOnce(client: GrpcServiceClient, c: Case): Promise<Outcome> {
  const metadata = new Metadata();
  for (const value of c.authorization) metadata.add('authorization', value);
  if (c.requestId !== undefined) metadata.set('x-request-id', c.requestId);
  return new Promise((resolve) => {
    let headersId: string | undefined;
    let answered: { error: ServiceError | null; response?: carrier.CheckCallResponse } | undefined;
    let status: StatusObject | undefined;
    const settle = () => {
      if (!answered || !status) return;
      const trailersId = status.metadata.get('x-request-id')[0]?.toString();
      resolve({
        code: status.code,
        details: answered.error ? answered.error.details : '',
        ...(answered.response ? { response: answered.response } : {}),
        requestId: headersId ?? trailersId,
        requestIdIn: headersId !== undefined ? 'headers' : trailersId !== undefined ? 'trailers' : 'none',
      });
    };
    const answer = (error: ServiceError | null, response?: carrier.CheckCallResponse) => {
      answered = { error, response };
      settle();
    };
    const call = c.bytes
      ? client.makeUnaryRequest(
          '/fraud.carrier.v1.CarrierService/CheckCall',
          (bytes: Buffer) => bytes,
          () => ({}) as carrier.CheckCallResponse,
          c.bytes,
          metadata,
          answer,
        )
      : (
          client as unknown as {
            checkCall(
              request: carrier.CheckCallRequest,
              metadata: Metadata,
              callback: (error: ServiceError | null, response?: carrier.CheckCallResponse) => void,
            ): NodeJS.EventEmitter;
          }
        ).checkCall(c.request, metadata, answer);
    call.on('metadata', (headers: Metadata) => (headersId = headers.get('x-request-id')[0]?.toString()));
    call.on('status', (s: StatusObject) => {
      status = s;
      settle();
    });
  });
}

/**
 * A call sending its authorization values as separate header lines, which a
 * grpc-js client refuses to send: by the security suite's independent client
 * (C-core gRPC from Python), which reports the status but not the headers.
 */
async function callWithHeaderLines(address: string, c: Case): Promise<Outcome> {
  const [result] = await probe([
    {
      target: address,
      method: 'fraud.carrier.v1.CarrierService/CheckCall',
      request: c.request,
      metadata: c.authorization.map((value): [string, string] => ['authorization', value]),
    },
  ]);
  return {
    code: GrpcCode[result.code as keyof typeof GrpcCode],
    details: result.details,
    requestId: undefined,
    requestIdIn: 'none',
  };
}

describe('CheckCall: the plain handler and a Nest route apply the same rules', () => {
  let plain: ServiceHarness<carrier.CarrierServiceController>;
  let nest: ServiceHarness<carrier.CarrierServiceController>;
  const clients: GrpcServiceClient[] = [];

  beforeAll(async () => {
    plain = await ServiceHarness.start(carrierDefinition(false));
    // The same signing keys: one token string is valid on both.
    nest = await ServiceHarness.start(carrierDefinition(true), { keyDir: plain.keyDir });
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await nest?.close();
    await plain?.close();
  });

  /** A client without a token of its own: each case sends its authorization values itself. */
  const bare = (harness: ServiceHarness<unknown>) => {
    const client = createGrpcClient(
      'fraud.carrier.v1.CarrierService',
      'fraud/carrier/v1/carrier.proto',
      harness.address,
    );
    clients.push(client);
    return client;
  };

  it('answers a role matrix with the same statuses, messages, request ids, audit lines and metrics', async () => {
    const bearer = (role: string) => `Bearer ${plain.token(role)}`;
    const ok = { caller: '13310000001', callee: '13800000000' };
    const cases: Case[] = [
      { name: 'own carrier', authorization: [bearer('carrier:CTCC')], request: ok, requestId: 'switch-1.call-42' },
      { name: 'own carrier, no request id', authorization: [bearer('carrier:CTCC')], request: ok },
      ...['carrier:CMCC', 'admin:sichuan', 'analyst', 'police', 'auditor'].map((role) => ({
        name: role,
        authorization: [bearer(role)],
        request: ok,
        requestId: `refused-${role.replace(':', '-')}`,
      })),
      { name: 'no token', authorization: [], request: ok, requestId: 'anonymous-1' },
      { name: 'not a token', authorization: ['Bearer not-a-token'], request: ok },
      { name: 'basic scheme', authorization: ['Basic dXNlcjpwYXNz'], request: ok },
      {
        name: 'two authorization headers',
        authorization: [bearer('carrier:CTCC'), bearer('carrier:CTCC')],
        request: ok,
        requestId: 'twice-1',
      },
      {
        name: 'control character in the caller',
        authorization: [bearer('carrier:CTCC')],
        request: { caller: '1331000\u00000001', callee: '13800000000' },
      },
      {
        name: 'control character, role refused first',
        authorization: [bearer('analyst')],
        request: { caller: '1331000\u00000001', callee: '13800000000' },
      },
      {
        name: 'not a number (validation, not audited)',
        authorization: [bearer('carrier:CTCC')],
        request: { caller: '13310000001', callee: '12' },
        requestId: 'bad-callee-1',
      },
      { name: 'invalid request id replaced', authorization: [bearer('carrier:CTCC')], request: ok, requestId: 'a b' },
      {
        name: 'a message that does not decode (refused before admission)',
        authorization: [bearer('carrier:CTCC')],
        request: ok,
        // Field 1 (caller), 255 bytes long, in a message of 2 bytes.
        bytes: Buffer.from([0x0a, 0xff]),
        requestId: 'garbled-1',
      },
    ];
    const handled = jest.spyOn(plain.app.get(CheckCallRpc, { strict: false }), 'handle');
    const [plainClient, nestClient] = [bare(plain), bare(nest)];
    for (const c of cases) {
      const [byPlain, byNest] =
        c.authorization.length > 1
          ? [await callWithHeaderLines(plain.address, c), await callWithHeaderLines(nest.address, c)]
          : [await callOnce(plainClient, c), await callOnce(nestClient, c)];
      // Generated ids differ by nature: both are UUIDs, sent back the same way.
      const generated = c.requestId === undefined || c.requestId === 'a b';
      const comparable = (o: Outcome) => ({ ...o, requestId: generated ? UUID.test(o.requestId ?? '') : o.requestId });
      expect({ case: c.name, ...comparable(byPlain) }).toEqual({ case: c.name, ...comparable(byNest) });
      if (c.authorization.length > 1)
        expect(byPlain).toMatchObject({ code: 16, details: 'invalid token: more than one authorization header' });
    }
    // The plain carrier answered through CheckCallRpc (admitted calls only), the other through Nest.
    expect(handled).toHaveBeenCalledTimes(4);

    const own = await callOnce(plainClient, cases[0]);
    expect(own).toMatchObject({ code: 0, requestId: 'switch-1.call-42', requestIdIn: 'headers' });
    expect(own.response).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: [] });
    await callOnce(nestClient, cases[0]);

    const audit = (harness: ServiceHarness<unknown>) =>
      harness.sql<Record<string, unknown>>(
        `SELECT actor, role, action, target, outcome, detail FROM audit_event
         WHERE action = 'fraud.carrier.v1.CarrierService/CheckCall' ORDER BY id`,
      );
    const [plainAudit, nestAudit] = [await audit(plain), await audit(nest)];
    expect(plainAudit).toEqual(nestAudit);
    expect(plainAudit.map((line) => line.outcome)).toEqual([
      ...Array<string>(5).fill('PERMISSION_DENIED'),
      ...Array<string>(4).fill('UNAUTHENTICATED'),
      'INVALID_ARGUMENT',
      'PERMISSION_DENIED',
      'INVALID_ARGUMENT',
    ]);

    const checkCallSeries = async (harness: ServiceHarness<unknown>) =>
      parseExposition(await scrapeMetrics(harness.metricsUrl))
        .filter((s) => s.labels.grpc_method === 'CheckCall' && !s.name.endsWith('_bucket') && !s.name.endsWith('_sum'))
        .map((s) => ({ name: s.name, labels: s.labels, value: s.value }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const plainSeries = await checkCallSeries(plain);
    expect(plainSeries).toEqual(await checkCallSeries(nest));
    const count = (code: string) =>
      plainSeries.find((s) => s.name === 'grpc_server_handled_total' && s.labels.grpc_code === code)?.value;
    expect([count('OK'), count('PERMISSION_DENIED'), count('UNAUTHENTICATED'), count('INVALID_ARGUMENT')]).toEqual([
      4, 6, 4, 3,
    ]);
  });
});
