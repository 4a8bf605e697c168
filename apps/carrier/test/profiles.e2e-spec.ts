import { status } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { Action, ladderLevel, UsageProfile, type CarrierEvent, type Msisdn } from '@app/domain';
import { cst, MINUTE, Scenario } from '../../../libs/domain/src/carrier/fixtures/scenario';
import { AnalysisService } from '../src/analysis/analysis.service';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { query, registryChange, subscribe } from './ladder-helpers';

describe('DeclareProfile (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let client: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    client = carrier.client('carrier:CTCC', 'crm-desk-7');
  });
  afterAll(() => carrier.close());

  const declare = (
    key: string,
    msisdn: string,
    overrides: Partial<Record<keyof carrier.DeclareProfileRequest, string>> = {},
    as = client,
  ) =>
    as.declareProfile({
      idempotencyKey: key,
      msisdn,
      profile: 'USAGE_PROFILE_COURIER',
      attestedBy: 'SF Express Chengdu depot',
      attestationReference: 'SF-CD-2024-0117',
      ...overrides,
    } as never);

  /** 80 calls in 85 minutes to people never called before, most answered: a courier's afternoon. */
  function courierVolume(seed: number, caller: Msisdn, calleePrefix: string): CarrierEvent[] {
    const s = new Scenario(seed);
    const start = cst('2024-05-06T14:00');
    for (let i = 0; i < 80; i++) {
      const answered = s.chance(0.75);
      s.call(
        start + Math.round((i * 85 * MINUTE) / 80),
        caller,
        s.n(`${calleePrefix}${String(1_000_000 + i * 7919).slice(-7)}`),
        answered,
        answered ? s.between(20, 70) : s.between(15, 25),
      );
    }
    return s.events;
  }

  it('stores an attested profile, and later analysis no longer takes the volume for a burst', async () => {
    const [undeclared, courier] = await subscribe(carrier, client, ['13320000001', '13320000002']);
    expect(await declare('sf-0117', '13320000002')).toEqual({
      msisdn: courier,
      profile: 'USAGE_PROFILE_COURIER',
      outcome: 'DECLARATION_OUTCOME_DECLARED',
      replayed: false,
    });
    expect(
      await query(
        carrier,
        `SELECT msisdn, profile, attested_by, attestation_reference, declared_by FROM profile_declaration`,
      ),
    ).toEqual([
      {
        msisdn: courier,
        profile: 'courier',
        attested_by: 'SF Express Chengdu depot',
        attestation_reference: 'SF-CD-2024-0117',
        declared_by: 'crm-desk-7',
      },
    ]);
    expect(await query(carrier, `SELECT profile FROM subscriber WHERE msisdn = $1`, [courier])).toEqual([
      { profile: 'courier' },
    ]);

    const events = [...courierVolume(51, undeclared, '1390'), ...courierVolume(51, courier, '1391')].sort(
      (a, b) => a.at - b.at,
    );
    expect(await ingest(client, toWire(events))).toMatchObject({ accepted: 160, rejected: 0 });
    const actions = async (msisdn: Msisdn) =>
      (await query(carrier, `SELECT action FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at`, [msisdn])).map(
        (d) => d.action as Action,
      );
    const undeclaredActions = await actions(undeclared);
    expect(Math.max(...undeclaredActions.map(ladderLevel))).toBeGreaterThanOrEqual(ladderLevel(Action.Warn));
    // At most watched quietly: never warned, restricted or suspended.
    expect((await actions(courier)).every((a) => ladderLevel(a) < ladderLevel(Action.Warn))).toBe(true);
  });

  it('keeps the declared profile across a restart (the directory is reloaded)', async () => {
    const [driver] = await subscribe(carrier, client, ['13320000004']);
    await declare('huolala-4', driver, { profile: 'USAGE_PROFILE_LOGISTICS', attestedBy: 'Huolala freight' });
    await carrier.stop();
    await carrier.boot();
    client = carrier.client('carrier:CTCC', 'crm-desk-7');
    expect(carrier.app.get(AnalysisService).state.subscriberOf(driver)?.profile).toBe(UsageProfile.Logistics);
  });

  it('is not undone by a later directory record for the number, before or after a restart', async () => {
    const [rider] = await subscribe(carrier, client, ['13320000007']);
    await declare('meituan-5', rider, { profile: 'USAGE_PROFILE_DELIVERY', attestedBy: 'Meituan Chengdu' });
    const sync = {
      id: '',
      atMs: cst('2024-05-07T00:00'),
      subscriber: {
        msisdn: rider,
        activatedAtMs: cst('2023-10-01T00:00'),
        realNameVerified: true,
        profile: 'USAGE_PROFILE_NONE',
      },
    };
    expect(await ingest(client, [[sync as never]])).toMatchObject({ accepted: 1 });
    expect(carrier.app.get(AnalysisService).state.subscriberOf(rider)?.profile).toBe(UsageProfile.Delivery);
    expect(await query(carrier, `SELECT profile FROM subscriber WHERE msisdn = $1`, [rider])).toEqual([
      { profile: 'delivery' },
    ]);
    await carrier.stop();
    await carrier.boot();
    client = carrier.client('carrier:CTCC', 'crm-desk-7');
    expect(await ingest(client, [[{ ...sync, atMs: cst('2024-05-07T01:00') } as never]])).toMatchObject({
      accepted: 1,
    });
    expect(carrier.app.get(AnalysisService).state.subscriberOf(rider)?.profile).toBe(UsageProfile.Delivery);
  });

  it('is idempotent: a retry is replayed, the same key with other content is ALREADY_EXISTS', async () => {
    const [rider] = await subscribe(carrier, client, ['13320000003']);
    const first = await declare('meituan-88', '13320000003', {
      profile: 'USAGE_PROFILE_DELIVERY',
      attestedBy: 'Meituan rider platform',
    });
    expect(
      await declare('meituan-88', '+8613320000003', {
        profile: 'USAGE_PROFILE_DELIVERY',
        attestedBy: ' Meituan rider platform ',
      }),
    ).toEqual({ ...first, replayed: true });
    await expect(
      declare('meituan-88', '13320000003', {
        profile: 'USAGE_PROFILE_LOGISTICS',
        attestedBy: 'Meituan rider platform',
      }),
    ).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      details: expect.stringContaining('idempotency_key'),
    });
    expect(await query(carrier, `SELECT profile FROM profile_declaration WHERE msisdn = $1`, [rider])).toEqual([
      { profile: 'delivery' },
    ]);
    expect(await query(carrier, `SELECT profile FROM subscriber WHERE msisdn = $1`, [rider])).toEqual([
      { profile: 'delivery' },
    ]);
  });

  it('lets one of two concurrent declarations with one key act, and refuses the other', async () => {
    const [msisdn] = await subscribe(carrier, client, ['13320000006']);
    const results = await Promise.allSettled([
      declare('race-6', msisdn, { profile: 'USAGE_PROFILE_COURIER' }),
      declare('race-6', msisdn, { profile: 'USAGE_PROFILE_ENTERPRISE' }),
    ]);
    // Either may reach the database first: the one that does acts, the other is refused, and nothing is mixed.
    const answers = results.map((r) =>
      r.status === 'fulfilled' ? r.value.profile : (r.reason as { code: number }).code,
    );
    const courierWon = answers[0] === 'USAGE_PROFILE_COURIER';
    expect(answers).toEqual(
      courierWon
        ? ['USAGE_PROFILE_COURIER', status.ALREADY_EXISTS]
        : [status.ALREADY_EXISTS, 'USAGE_PROFILE_ENTERPRISE'],
    );
    expect(await query(carrier, `SELECT profile FROM subscriber WHERE msisdn = $1`, [msisdn])).toEqual([
      { profile: courierWon ? 'courier' : 'enterprise' },
    ]);
    expect(carrier.app.get(AnalysisService).state.subscriberOf(msisdn)?.profile).toBe(
      courierWon ? UsageProfile.Courier : UsageProfile.Enterprise,
    );
  });

  it('keeps a confirmed number’s profile: CONFIRMED_FRAUD, recorded, answered again after a restart too', async () => {
    const [msisdn] = await subscribe(carrier, client, ['13320000008']);
    await registryChange(carrier, msisdn, 'CONFIRMED');
    const answer = {
      msisdn,
      profile: 'USAGE_PROFILE_NONE',
      outcome: 'DECLARATION_OUTCOME_CONFIRMED_FRAUD',
      replayed: false,
    };
    expect(await declare('confirmed-8', msisdn)).toEqual(answer);
    expect(await declare('confirmed-8', msisdn)).toEqual({ ...answer, replayed: true });
    expect(
      await query(carrier, `SELECT profile, outcome FROM profile_declaration WHERE msisdn = $1`, [msisdn]),
    ).toEqual([{ profile: 'courier', outcome: 'CONFIRMED_FRAUD' }]);
    expect(await query(carrier, `SELECT profile FROM subscriber WHERE msisdn = $1`, [msisdn])).toEqual([
      { profile: 'none' },
    ]);
    expect(carrier.app.get(AnalysisService).state.subscriberOf(msisdn)?.profile).toBe(UsageProfile.None);
    const explained = await client.explainNumber({ msisdn, purpose: 'attestation desk' });
    expect(explained).toMatchObject({
      registryStatus: 'NUMBER_STATUS_CONFIRMED',
      declaredProfile: 'USAGE_PROFILE_NONE',
      profileAttested: false,
    });

    await carrier.stop();
    await carrier.boot();
    client = carrier.client('carrier:CTCC', 'crm-desk-7');
    expect(carrier.app.get(AnalysisService).state.subscriberOf(msisdn)?.profile).toBe(UsageProfile.None);
    expect(await declare('confirmed-8', msisdn)).toEqual({ ...answer, replayed: true });
    // A directory sync may still set it (the refused declaration attests nothing).
    const sync = {
      id: '',
      atMs: cst('2024-05-08T00:00'),
      subscriber: {
        msisdn,
        activatedAtMs: cst('2020-01-01T00:00'),
        realNameVerified: true,
        profile: 'USAGE_PROFILE_ENTERPRISE',
      },
    };
    expect(await ingest(client, [[sync as never]])).toMatchObject({ accepted: 1 });
    expect(await query(carrier, `SELECT profile FROM subscriber WHERE msisdn = $1`, [msisdn])).toEqual([
      { profile: 'enterprise' },
    ]);
  });

  it('refuses a number that is not this carrier’s subscriber with NOT_FOUND', async () => {
    await expect(declare('unknown-1', '13329999999')).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: expect.stringContaining('msisdn: is not a subscriber'),
    });
    expect(
      await query(carrier, `SELECT count(*)::int AS n FROM profile_declaration WHERE msisdn = '+8613329999999'`),
    ).toEqual([{ n: 0 }]);
  });

  it.each([
    ['no profile', { profile: 'USAGE_PROFILE_UNSPECIFIED' }, 'profile'],
    ['no attester', { attestedBy: '  ' }, 'attested_by: is required'],
    ['an attester over 200 characters', { attestedBy: 'x'.repeat(201) }, 'attested_by: at most 200 characters'],
    ['no attestation reference', { attestationReference: '' }, 'attestation_reference: is required'],
    [
      'a reference with a line break',
      { attestationReference: 'SF\nCD' },
      'attestation_reference: must not contain control characters',
    ],
    ['a full-width number', { msisdn: '１３３２００００００１' }, 'msisdn'],
    ['a number over 32 characters', { msisdn: '1'.repeat(40) }, 'msisdn'],
    ['no idempotency key', { idempotencyKey: '' }, 'idempotency_key'],
    ['an idempotency key with a space', { idempotencyKey: 'a b' }, 'idempotency_key'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_case, overrides, details) => {
    await expect(declare('bad-input', '13320000001', overrides)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining(details),
    });
  });

  it('admits this carrier only', async () => {
    for (const role of ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police']) {
      await expect(declare(`role-${role}`, '13320000001', {}, carrier.client(role))).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
    }
  });

  it('audits every call: who, which number, the attestation, the outcome', async () => {
    const [msisdn] = await subscribe(carrier, client, ['13320000005']);
    await declare('audit-1', msisdn);
    await expect(declare('audit-1', msisdn, { profile: 'USAGE_PROFILE_ENTERPRISE' })).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
    });
    await expect(declare('audit-2', msisdn, { attestedBy: '' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    await expect(declare('audit-3', msisdn, {}, carrier.client('carrier:CMCC'))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });

    const lines = await query(
      carrier,
      `SELECT actor, role, action, outcome, detail FROM audit_event WHERE target = $1 ORDER BY id`,
      [msisdn],
    );
    expect(lines.map((l) => l.outcome)).toEqual(['OK', 'ALREADY_EXISTS', 'INVALID_ARGUMENT', 'PERMISSION_DENIED']);
    expect(lines[0]).toEqual({
      actor: 'crm-desk-7',
      role: 'carrier:CTCC',
      action: 'fraud.carrier.v1.CarrierService/DeclareProfile',
      outcome: 'OK',
      detail: {
        profile: 'USAGE_PROFILE_COURIER',
        attestedBy: 'SF Express Chengdu depot',
        attestationReference: 'SF-CD-2024-0117',
      },
    });
    expect(lines[3]).toMatchObject({ role: 'carrier:CMCC' });
  });
});
