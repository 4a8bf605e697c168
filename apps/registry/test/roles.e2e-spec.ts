import { status, type ServiceError } from '@grpc/grpc-js';
import { aFlag, collectChanges, numbers, RegistryHarness, type RegistryClient } from './registry-harness';

type Call = (client: RegistryClient, role: string) => Promise<unknown>;

const ROLES = ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police', 'auditor'] as const;
let n = 0;

const CALLS: Record<string, { allowed: readonly string[]; call: Call }> = {
  SubmitFlags: {
    allowed: ['carrier:CMCC', 'admin:sichuan'],
    call: (c, role) =>
      c.submitFlags({
        flags: [aFlag(numbers(1, 50_000 + ++n)[0], { source: role.startsWith('carrier') ? role : 'admin' })],
      }),
  },
  CheckNumbers: {
    allowed: ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police'],
    call: (c) => c.checkNumbers({ msisdns: ['19100000001'] }),
  },
  WatchChanges: { allowed: ['carrier:CMCC', 'admin:sichuan'], call: (c) => collectChanges(c, 0, 1, 5000) },
  GetNumberRecord: {
    allowed: ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police'],
    call: (c) => c.getNumberRecord({ msisdn: '19100000001', purpose: 'role matrix test' }),
  },
  VerifyNumber: {
    allowed: ['police'],
    call: (c) =>
      c.verifyNumber({
        idempotencyKey: `v-${++n}`,
        msisdn: '19100000001',
        outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
        caseId: 'CD-1',
      }),
  },
  ListAuditEvents: { allowed: ['auditor'], call: (c) => c.listAuditEvents({}) },
  VerifyAuditChain: { allowed: ['auditor'], call: (c) => c.verifyAuditChain() },
};

describe('the role matrix of the registry (real tokens over gRPC)', () => {
  let registry: RegistryHarness;

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    // Something to watch, so that an allowed WatchChanges gets an answer.
    await registry.client('carrier:CMCC').submitFlags({ flags: [aFlag('19100000001', { source: 'carrier:CMCC' })] });
  });
  afterAll(() => registry.close());

  const cases = Object.entries(CALLS).flatMap(([rpc, { allowed, call }]) =>
    ROLES.map((role) => [rpc, role, allowed.includes(role), call] as const),
  );

  it.each(cases)('%s as %s: allowed=%s', async (_rpc, role, allowed, call) => {
    const outcome = await call(registry.client(role), role).then(
      () => 'OK',
      (error: ServiceError) => status[error.code],
    );
    if (allowed) expect(outcome).toBe('OK');
    else expect(outcome).toBe('PERMISSION_DENIED');
  });

  it.each(Object.keys(CALLS))('%s without a token is UNAUTHENTICATED', async (rpc) => {
    await expect(CALLS[rpc].call(registry.client(), 'carrier:CMCC')).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
  });

  it('writes every refusal to the audit log, with who and what', async () => {
    const auditor = registry.client('auditor', 'auditor-1');
    const denied = await auditor.listAuditEvents({
      outcome: 'PERMISSION_DENIED',
      page: { pageSize: 1000, pageToken: '' },
    });
    const deniedCount = cases.filter(([, , allowed]) => !allowed).length;
    expect(denied.events).toHaveLength(deniedCount);
    expect(denied.events).toContainEqual(
      expect.objectContaining({
        actor: 'analyst',
        role: 'analyst',
        action: 'fraud.registry.v1.RegistryService/VerifyNumber',
        outcome: 'PERMISSION_DENIED',
      }),
    );
    const unauthenticated = await auditor.listAuditEvents({ outcome: 'UNAUTHENTICATED' });
    expect(unauthenticated.events).toHaveLength(Object.keys(CALLS).length);
    expect(unauthenticated.events.every((e) => e.actor === '')).toBe(true);
  });
});
