import { status, type ServiceError } from '@grpc/grpc-js';
import type { registryV2 } from '@app/contracts';
import { createGrpcClient, unary, type GrpcServiceClient } from '@app/grpc';
import { reflect } from '@app/testing';
import { REGISTRY_V2_PROTO } from '../src/numbers/numbers-v2.rpc';
import { aFlag, numbers, RegistryHarness } from './registry-harness';

const V2 = 'fraud.registry.v2.RegistryService';

describe('fraud.registry.v2 CheckNumbers (beside v1, over gRPC)', () => {
  let registry: RegistryHarness;
  const clients: GrpcServiceClient[] = [];

  beforeAll(async () => {
    registry = await RegistryHarness.start();
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await registry.close();
  });

  /** A v2 client calling as `role` (no token when ''). */
  const v2 = (role: string, subject?: string) => {
    const client = createGrpcClient(V2, REGISTRY_V2_PROTO, registry.address, {
      ...(role ? { token: registry.token(role, subject) } : {}),
    });
    clients.push(client);
    return (request: Partial<registryV2.CheckNumbersRequest>) =>
      unary<registryV2.CheckNumbersResponse>(client, 'checkNumbers', request);
  };
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => ({ code: status.OK, details: '' }),
      (error: ServiceError) => ({ code: error.code, details: error.details }),
    );
  const e164 = (msisdn: string) => Number(msisdn.slice(1));

  it('answers statuses in request order, strings then packed numbers, with the registry version', async () => {
    const [suspect, other, unlisted] = numbers(3, 7000);
    const { results } = await registry.client('carrier:CTCC').submitFlags({ flags: [aFlag(suspect), aFlag(other)] });
    const v1 = await registry.client('police').checkNumbers({ msisdns: [suspect, unlisted] });
    const answer = await v2('carrier:CTCC')({
      msisdns: [unlisted, suspect.replace('+86', '')],
      e164: [e164(other), e164(unlisted), e164(suspect)],
    });
    expect(answer).toEqual({
      statuses: [
        'NUMBER_STATUS_NOT_LISTED',
        'NUMBER_STATUS_SUSPECTED',
        'NUMBER_STATUS_SUSPECTED',
        'NUMBER_STATUS_NOT_LISTED',
        'NUMBER_STATUS_SUSPECTED',
      ],
      version: Math.max(...results.map((r) => r.version)),
    });
    // The same statuses as v1, which also echoes the numbers and their own versions.
    expect(v1.results.map((r) => r.status)).toEqual(['NUMBER_STATUS_SUSPECTED', 'NUMBER_STATUS_NOT_LISTED']);
  });

  it('admits the roles v1 admits, and audits its refusals as v1 does', async () => {
    const [msisdn] = numbers(1, 7100);
    for (const role of ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police'])
      expect(await failure(v2(role)({ e164: [e164(msisdn)] }))).toEqual({ code: status.OK, details: '' });
    const refusals = [
      [v2('auditor', 'auditor-v2'), registry.client('auditor', 'auditor-v2')],
      [v2(''), registry.client('')],
    ] as const;
    for (const [byV2, byV1] of refusals) {
      const [two, one] = [
        await failure(byV2({ msisdns: [msisdn] })),
        await failure(byV1.checkNumbers({ msisdns: [msisdn] })),
      ];
      expect(two).toEqual({ ...one, details: one.details.replace('v1', 'v2') });
      expect(two.code).not.toBe(status.OK);
    }
    const lines = await registry.sql<{ actor: string; role: string; action: string; outcome: string; detail: object }>(
      `SELECT actor, role, action, outcome, detail FROM audit_event
       WHERE action LIKE 'fraud.registry.v_.RegistryService/CheckNumbers' ORDER BY id`,
    );
    const v1Lines = lines.filter((l) => l.action.includes('.v1.'));
    const v2Lines = lines.filter((l) => l.action.includes('.v2.'));
    expect(v2Lines.map((l) => l.outcome)).toEqual(['PERMISSION_DENIED', 'UNAUTHENTICATED']);
    expect(v2Lines.map(({ action: _a, detail: _d, ...who }) => who)).toEqual(
      v1Lines.map(({ action: _a, detail: _d, ...who }) => who),
    );
  });

  it('refuses an invalid number naming its field and index, changing nothing', async () => {
    const [msisdn] = numbers(1, 7200);
    const police = v2('police');
    const before = await police({ msisdns: [msisdn] });
    expect(await failure(police({ msisdns: [msisdn], e164: [e164(msisdn), 12345] }))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: "e164[1]: 12345 is not a phone number: send E.164 digits without '+' (8619112345678)",
    });
    expect(await failure(police({ msisdns: [msisdn, '1910000abcd'] }))).toEqual({
      code: status.INVALID_ARGUMENT,
      details:
        'msisdns[1]: "1910000abcd" is not a phone number: ' +
        'use E.164 (+8619112345678) or 11 national digits (19112345678)',
    });
    expect(await failure(police({}))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'msisdns and e164: at least one number is required',
    });
    expect(await failure(police({ e164: Array.from({ length: 10_001 }, () => e164(msisdn)) }))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'msisdns and e164: at most 10000 numbers per call, got 10001',
    });
    expect(await police({ msisdns: [msisdn] })).toEqual(before);
  });

  it('refuses a control character as the admission rules do (audited), before any number is read', async () => {
    const analyst = v2('analyst', 'analyst-ctl');
    expect(await failure(analyst({ msisdns: ['19100000001', '1910000\u00000002'] }))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'msisdns[1]: must not contain control characters (such as NUL)',
    });
    const [line] = await registry.sql<{ actor: string; outcome: string; detail: { code: string } }>(
      `SELECT actor, outcome, detail FROM audit_event WHERE actor = 'analyst-ctl'`,
    );
    expect(line).toMatchObject({ actor: 'analyst-ctl', outcome: 'INVALID_ARGUMENT', detail: { code: 'MALFORMED' } });
  });

  it('answers 10,000 numbers in one call', async () => {
    const many = numbers(10_000, 200_000).map(e164);
    const { statuses } = await v2('carrier:CTCC')({ e164: many });
    expect(statuses).toHaveLength(10_000);
    expect(new Set(statuses)).toEqual(new Set(['NUMBER_STATUS_NOT_LISTED']));
  });

  it('is listed by reflection beside v1', async () => {
    const answer = await reflect(registry.address, { listServices: '*' });
    const names = answer.listServicesResponse?.service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['fraud.registry.v1.RegistryService', V2]));
  });
});
