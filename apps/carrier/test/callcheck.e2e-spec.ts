import { status } from '@grpc/grpc-js';
import { normaliseMsisdn } from '@app/domain';
import { newNumberBurst } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { applyStep, query, subscribe, suspend } from './ladder-helpers';

describe('CheckCall (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let client: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    client = carrier.client();
  });
  afterAll(() => carrier.close());

  const check = (caller: string, callee = '13800000000', as = client) => as.checkCall({ caller, callee });
  const registry = (national: string, status: 'SUSPECTED' | 'CONFIRMED' | 'CLEARED') =>
    applyStep(carrier, (engine) => engine.registryChanged(normaliseMsisdn(national, 'test'), status, Date.now()));

  it('allows a number nobody marked, ours or not', async () => {
    await subscribe(carrier, client, ['13310000001']);
    expect(await check('13310000001')).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: [] });
    expect(await check('+8613910000001')).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: [] });
  });

  it('labels a caller the registry suspects, and blocks one the police confirmed', async () => {
    await registry('13910000002', 'SUSPECTED');
    expect(await check('13910000002')).toEqual({ verdict: 'CALL_VERDICT_LABEL', reasons: ['REGISTRY_SUSPECTED'] });
    await registry('13910000003', 'CONFIRMED');
    expect(await check('13910000003')).toEqual({ verdict: 'CALL_VERDICT_BLOCK', reasons: ['REGISTRY_CONFIRMED'] });
  });

  it('blocks our subscriber when our ladder restricts (outbound limited) or suspends it', async () => {
    const burst = newNumberBurst();
    await ingest(client, toWire(burst.events.filter((e) => e.type !== 'high_risk_cell')));
    expect(await check(burst.subject)).toEqual({ verdict: 'CALL_VERDICT_BLOCK', reasons: ['RESTRICTED'] });
    const [ours] = await subscribe(carrier, client, ['13310000004']);
    await suspend(carrier, ours);
    expect(await check(ours)).toEqual({ verdict: 'CALL_VERDICT_BLOCK', reasons: ['SUSPENDED'] });
    // Registry marks add to our own reasons; ours alone already block.
    await registry('13310000004', 'SUSPECTED');
    expect(await check(ours)).toEqual({ verdict: 'CALL_VERDICT_BLOCK', reasons: ['SUSPENDED', 'REGISTRY_SUSPECTED'] });
  });

  it('allows a CLEARED number (restored), unless our own ladder restricts it again', async () => {
    const [cleared] = await subscribe(carrier, client, ['13310000005']);
    await suspend(carrier, cleared);
    await registry('13310000005', 'CLEARED');
    expect(await check(cleared)).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: ['REGISTRY_CLEARED'] });
    await suspend(carrier, cleared);
    expect(await check(cleared)).toEqual({ verdict: 'CALL_VERDICT_BLOCK', reasons: ['SUSPENDED', 'REGISTRY_CLEARED'] });
  });

  it.each([
    ['an empty caller', { caller: '', callee: '13800000000' }, 'caller: a phone number is required'],
    [
      'a full-width caller',
      { caller: '１３３１００００００１', callee: '13800000000' },
      'caller: "１３３１００００００１" is not a phone number',
    ],
    ['a short callee', { caller: '13310000001', callee: '12345' }, 'callee: "12345" is not a phone number'],
    ['a callee with letters', { caller: '13310000001', callee: '1380000abcd' }, 'callee:'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_case, request, details) => {
    await expect(client.checkCall(request)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining(details),
    });
  });

  it('answers this carrier only: other carriers, the administration, analysts and police are refused', async () => {
    for (const role of ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police']) {
      await expect(check('13310000001', '13800000000', carrier.client(role))).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
    }
    await expect(check('13310000001', '13800000000', carrier.client(''))).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
  });

  it('writes no audit line for answered checks (hot path); refusals are audited by the guard', async () => {
    const lines = await query(
      carrier,
      `SELECT outcome, count(*)::int AS n FROM audit_event
       WHERE action = 'fraud.carrier.v1.CarrierService/CheckCall' GROUP BY outcome`,
    );
    expect(Object.fromEntries(lines.map((l) => [l.outcome, l.n]))).toEqual({
      PERMISSION_DENIED: 4,
      UNAUTHENTICATED: 1,
    });
  });
});
