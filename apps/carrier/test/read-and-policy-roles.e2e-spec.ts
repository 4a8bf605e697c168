import { status, type ServiceError } from '@grpc/grpc-js';
import { DEFAULT_POLICY } from '@app/domain';
import { CarrierHarness, type CarrierClient } from './carrier-harness';
import { rowsOf } from '@app/testing';

type Call = (client: CarrierClient) => Promise<unknown>;

/** This service is CTCC's: carrier:CMCC is another carrier and is refused everywhere. */
const ROLES = ['carrier:CTCC', 'carrier:CMCC', 'admin:sichuan', 'analyst', 'police', 'auditor'] as const;
let version = 100;

const CALLS: Record<string, { allowed: readonly string[]; call: Call }> = {
  ListPolicies: { allowed: ['carrier:CTCC', 'admin:sichuan', 'analyst'], call: (c) => c.listPolicies({}) },
  PutPolicy: {
    allowed: ['carrier:CTCC'],
    call: (c) => c.putPolicy({ document: JSON.stringify({ ...DEFAULT_POLICY, version: ++version }) }),
  },
  SetPolicy: {
    allowed: ['carrier:CTCC'],
    call: (c) => c.setPolicy({ mode: 'POLICY_MODE_SHADOW_OFF' as never, reason: 'role matrix test' }),
  },
  ListDecisions: { allowed: ['carrier:CTCC', 'admin:sichuan', 'analyst'], call: (c) => c.listDecisions({}) },
  ListNotices: { allowed: ['carrier:CTCC'], call: (c) => c.listNotices({ msisdn: '19100000001' }) },
  ExplainNumber: {
    allowed: ['carrier:CTCC', 'admin:sichuan', 'police'],
    call: (c) => c.explainNumber({ msisdn: '19100000001', purpose: 'role matrix test' }),
  },
};

describe('who may read decisions and explanations and manage policies (real tokens over gRPC)', () => {
  let carrier: CarrierHarness;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
  });
  afterAll(() => carrier.close());

  const cases = Object.entries(CALLS).flatMap(([rpc, { allowed, call }]) =>
    ROLES.map((role) => [rpc, role, allowed.includes(role), call] as const),
  );

  it.each(cases)('%s as %s: allowed=%s', async (_rpc, role, allowed, call) => {
    const outcome = await call(carrier.client(role)).then(
      () => 'OK',
      (error: ServiceError) => status[error.code],
    );
    expect(outcome).toBe(allowed ? 'OK' : 'PERMISSION_DENIED');
  });

  it.each(Object.keys(CALLS))('%s without a token is UNAUTHENTICATED', async (rpc) => {
    await expect(CALLS[rpc].call(carrier.client(''))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('writes every refusal to the audit log, with who and what', async () => {
    const denied = await rowsOf(
      carrier.db.url,
      `SELECT actor, role, action FROM audit_event WHERE outcome = 'PERMISSION_DENIED'`,
    );
    expect(denied).toHaveLength(cases.filter(([, , allowed]) => !allowed).length);
    expect(denied).toContainEqual({
      actor: 'carrier-CMCC',
      role: 'carrier:CMCC',
      action: 'fraud.carrier.v1.CarrierService/ExplainNumber',
    });
    expect(denied).toContainEqual({
      actor: 'analyst',
      role: 'analyst',
      action: 'fraud.carrier.v1.CarrierService/SetPolicy',
    });
    const unauthenticated = await rowsOf(
      carrier.db.url,
      `SELECT actor FROM audit_event WHERE outcome = 'UNAUTHENTICATED'`,
    );
    expect(unauthenticated).toEqual(Object.keys(CALLS).map(() => ({ actor: '' })));
  });
});
