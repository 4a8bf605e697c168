import { status } from '@grpc/grpc-js';
import { Action, normaliseMsisdn, ReasonCode, type CarrierEvent, type Msisdn } from '@app/domain';
import { newNumberBurst } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { activateTermlessDefault, applyStep, query, subscribe, suspend } from './ladder-helpers';

describe('CheckCall (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let client: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    client = carrier.client();
    await activateTermlessDefault(client);
  });
  afterAll(() => carrier.close());

  const check = (caller: string, callee = '13800000000', as = client) => as.checkCall({ caller, callee });
  const registry = (national: string, status: 'SUSPECTED' | 'CONFIRMED' | 'CLEARED') =>
    applyStep(carrier, {
      kind: 'registryChanged',
      msisdn: normaliseMsisdn(national, 'test'),
      status,
      atMs: Date.now(),
    });

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

  describe('what still works', () => {
    const restrict = (msisdn: Msisdn) =>
      applyStep(carrier, {
        kind: 'impose',
        msisdn,
        action: Action.Restrict,
        reason: ReasonCode.Directive,
        atMs: Date.now(),
      });
    const ESSENTIALS = [
      '110',
      '119',
      '120',
      '122',
      '12110',
      '96110',
      '12381',
      '12321',
      '10086',
      '10010',
      '10000',
      '10099',
    ];

    it('allows every emergency and service number, whatever the caller’s step or registry mark', async () => {
      const [restricted, suspended, confirmed] = await subscribe(carrier, client, [
        '13310000011',
        '13310000012',
        '13310000013',
      ]);
      await restrict(restricted);
      await suspend(carrier, suspended);
      await registry('13310000013', 'CONFIRMED');
      await registry('13910000014', 'CONFIRMED');
      for (const callee of ESSENTIALS) {
        expect(await check('13310000001', callee)).toEqual({
          verdict: 'CALL_VERDICT_ALLOW',
          reasons: ['ESSENTIAL_NUMBER'],
        });
        expect(await check(restricted, callee)).toEqual({
          verdict: 'CALL_VERDICT_ALLOW',
          reasons: ['RESTRICTED', 'ESSENTIAL_NUMBER'],
        });
        expect(await check(suspended, callee)).toEqual({
          verdict: 'CALL_VERDICT_ALLOW',
          reasons: ['SUSPENDED', 'ESSENTIAL_NUMBER'],
        });
        expect(await check(confirmed, callee)).toEqual({
          verdict: 'CALL_VERDICT_ALLOW',
          reasons: ['SUSPENDED', 'REGISTRY_CONFIRMED', 'ESSENTIAL_NUMBER'],
        });
        expect(await check('13910000014', callee)).toEqual({
          verdict: 'CALL_VERDICT_ALLOW',
          reasons: ['REGISTRY_CONFIRMED', 'ESSENTIAL_NUMBER'],
        });
      }
      // A short number the policy does not list is judged as any other call.
      expect(await check('13310000001', '95555')).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: [] });
      expect(await check(restricted, '95555')).toEqual({ verdict: 'CALL_VERDICT_BLOCK', reasons: ['RESTRICTED'] });
    });

    it('lets a restricted subscriber call the people it was in contact with, never strangers', async () => {
      const [restricted, neighbour] = await subscribe(carrier, client, ['13310000015', '13310000016']);
      const friend = normaliseMsisdn('13810000015', 'test');
      const hourAgo = Date.now() - 3_600_000;
      const calls: CarrierEvent[] = [
        { type: 'call', at: hourAgo, caller: restricted, callee: friend, answered: true, durationSec: 120 },
        { type: 'call', at: hourAgo + 60_000, caller: neighbour, callee: restricted, answered: true, durationSec: 60 },
      ];
      expect((await ingest(client, toWire(calls))).accepted).toBe(2);
      await restrict(restricted);
      for (const known of [friend, neighbour])
        expect(await check(restricted, known)).toEqual({
          verdict: 'CALL_VERDICT_ALLOW',
          reasons: ['RESTRICTED', 'KNOWN_CONTACT'],
        });
      expect(await check(restricted, '13810000099')).toEqual({
        verdict: 'CALL_VERDICT_BLOCK',
        reasons: ['RESTRICTED'],
      });
      // A suspension blocks known contacts too.
      await suspend(carrier, restricted);
      expect(await check(restricted, friend)).toEqual({ verdict: 'CALL_VERDICT_BLOCK', reasons: ['SUSPENDED'] });
    });

    it('never refuses a call for the callee’s own step: incoming calls always reach it', async () => {
      const [callee] = await subscribe(carrier, client, ['13310000017']);
      await suspend(carrier, callee);
      await registry('13310000017', 'CONFIRMED');
      expect(await check('13310000001', callee)).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: [] });
      expect(await check('+8613910000017', callee)).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: [] });
    });
  });

  it.each([
    ['an empty caller', { caller: '', callee: '13800000000' }, 'caller: a phone number is required'],
    [
      'a full-width caller',
      { caller: '１３３１００００００１', callee: '13800000000' },
      'caller: "１３３１００００００１" is not a phone number',
    ],
    ['a two-digit callee', { caller: '13310000001', callee: '12' }, 'callee: "12" is not a phone number'],
    ['a seven-digit callee', { caller: '13310000001', callee: '1234567' }, 'callee: "1234567" is not a phone number'],
    ['a service number with a letter', { caller: '13310000001', callee: '11O' }, 'callee: "11O" is not a phone number'],
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
