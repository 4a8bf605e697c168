import { status } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import type { Msisdn } from '@app/domain';
import { expectOneFirstAnswer } from '@app/testing';
import { newNumberBurst } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { activateTermlessDefault, levelOf, query, registryChange, subscribe, suspend } from './ladder-helpers';

/** Valid GB 11643 numbers (ISO 7064 check characters X and 3). */
const NATIONAL_ID = '11010519491231002X';
const OTHER_ID = '440304199001011233';

describe('Reactivate and ResolveAppeal (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let shop: CarrierClient;
  let admin: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    connect();
    await activateTermlessDefault(shop);
  });
  afterAll(() => carrier.close());

  function connect(): void {
    shop = carrier.client('carrier:CTCC', 'shop-chengdu-12');
    admin = carrier.client('admin:sichuan', 'analyst-desk-3');
  }

  async function restart(): Promise<void> {
    await carrier.stop();
    await carrier.boot();
    connect();
  }

  const reactivate = (key: string, msisdn: string, overrides: Partial<carrier.ReactivateRequest> = {}, as = shop) =>
    as.reactivate({
      idempotencyKey: key,
      msisdn,
      verificationReference: `ticket-${key}`,
      nationalId: NATIONAL_ID,
      idVerified: true,
      ...overrides,
    });
  const appeal = (
    key: string,
    msisdn: string,
    upheld: boolean,
    overrides: Partial<carrier.ResolveAppealRequest> = {},
    as = admin,
  ) =>
    as.resolveAppeal({
      idempotencyKey: key,
      msisdn,
      upheld,
      reference: `appeal-${key}`,
      note: 'courier, employer confirmed',
      ...overrides,
    });
  const outcomeOf = async (key: string, msisdn: Msisdn) => (await reactivate(key, msisdn)).outcome;
  const decisionsOf = async (msisdn: Msisdn) =>
    query(
      carrier,
      `SELECT action, previous, reasons FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at, recorded_at`,
      [msisdn],
    );

  it('restores after an ID check, keeping the national ID only as a keyed hash and its last four', async () => {
    const [msisdn] = await subscribe(carrier, shop, ['13330000001']);
    await suspend(carrier, msisdn);
    expect(await reactivate('r-1', '13330000001')).toEqual({
      msisdn,
      outcome: 'REACTIVATION_OUTCOME_RESTORED',
      state: 'ACTION_NONE',
      replayed: false,
    });
    expect(levelOf(carrier, msisdn)).toBe('NONE');
    expect((await decisionsOf(msisdn)).at(-1)).toEqual({
      action: 'RESTORE',
      previous: 'SUSPEND',
      reasons: ['ID_VERIFIED'],
    });
    const [row] = await query(
      carrier,
      `SELECT verification_reference, national_id_hash, national_id_last4, id_verified, outcome, performed_by
       FROM reactivation WHERE idempotency_key = 'r-1'`,
    );
    expect(row).toEqual({
      verification_reference: 'ticket-r-1',
      national_id_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      national_id_last4: '002X',
      id_verified: true,
      outcome: 'RESTORED',
      performed_by: 'shop-chengdu-12',
    });
  });

  it('answers NOT_SUSPENDED for a number not restricted, and ID_NOT_VERIFIED when the check failed', async () => {
    const [free, suspended] = await subscribe(carrier, shop, ['13330000002', '13330000003']);
    expect(await reactivate('r-2', free)).toMatchObject({
      outcome: 'REACTIVATION_OUTCOME_NOT_SUSPENDED',
      state: 'ACTION_NONE',
    });
    await suspend(carrier, suspended);
    // A failed check needs no national ID; the attempt is recorded all the same.
    expect(await reactivate('r-3', suspended, { idVerified: false, nationalId: '' })).toMatchObject({
      outcome: 'REACTIVATION_OUTCOME_ID_NOT_VERIFIED',
      state: 'ACTION_SUSPEND',
    });
    expect(
      await query(
        carrier,
        `SELECT national_id_hash, national_id_last4, outcome FROM reactivation WHERE idempotency_key = 'r-3'`,
      ),
    ).toEqual([{ national_id_hash: null, national_id_last4: null, outcome: 'ID_NOT_VERIFIED' }]);
  });

  it('one chance per window, then police verification; an upheld appeal gives it back, across restarts', async () => {
    const [a, b, c] = await subscribe(carrier, shop, ['13330000011', '13330000012', '13330000013']);

    // a: suspended, restored on its one chance, suspended again: referred to the police, nothing invented.
    await suspend(carrier, a);
    expect(await outcomeOf('a-1', a)).toBe('REACTIVATION_OUTCOME_RESTORED');
    await suspend(carrier, a);
    const before = await decisionsOf(a);
    expect(await reactivate('a-2', a)).toMatchObject({
      outcome: 'REACTIVATION_OUTCOME_REFERRED_TO_POLICE',
      state: 'ACTION_SUSPEND',
    });
    expect(await decisionsOf(a)).toEqual(before);
    // The suspension itself already flagged the number to the registry, where the police verify it.
    expect(
      await query(carrier, `SELECT count(*)::int AS n FROM outbox WHERE msisdn = $1 AND destination = 'REGISTRY'`, [a]),
    ).toEqual([{ n: 2 }]);
    // The appeal is upheld: restored as a mistake, no chance used, and the earlier one given back.
    expect(await appeal('a-appeal', a, true)).toEqual({
      msisdn: a,
      outcome: 'APPEAL_OUTCOME_UPHELD',
      state: 'ACTION_NONE',
      replayed: false,
    });
    expect((await decisionsOf(a)).at(-1)).toEqual({
      action: 'RESTORE',
      previous: 'SUSPEND',
      reasons: ['APPEAL_UPHELD'],
    });

    // b: its chance used, nothing given back.
    await suspend(carrier, b);
    expect(await outcomeOf('b-1', b)).toBe('REACTIVATION_OUTCOME_RESTORED');
    // c: restored on its chance, then an appeal about that suspension is upheld
    // (no restore needed: the chance comes back alone).
    await suspend(carrier, c);
    expect(await outcomeOf('c-1', c)).toBe('REACTIVATION_OUTCOME_RESTORED');
    expect(await appeal('c-appeal', c, true)).toMatchObject({ state: 'ACTION_NONE' });

    await restart();

    await suspend(carrier, a);
    expect(await outcomeOf('a-3', a)).toBe('REACTIVATION_OUTCOME_RESTORED');
    await suspend(carrier, a);
    expect(await outcomeOf('a-4', a)).toBe('REACTIVATION_OUTCOME_REFERRED_TO_POLICE');
    await suspend(carrier, b);
    expect(await outcomeOf('b-2', b)).toBe('REACTIVATION_OUTCOME_REFERRED_TO_POLICE');
    await suspend(carrier, c);
    expect(await outcomeOf('c-2', c)).toBe('REACTIVATION_OUTCOME_RESTORED');
  });

  it('lifts a restriction without using the chance, after a restart too', async () => {
    const burst = newNumberBurst();
    await ingest(shop, toWire(burst.events.filter((e) => e.type !== 'high_risk_cell')));
    expect(levelOf(carrier, burst.subject)).toBe('RESTRICT');
    expect(await reactivate('burst-1', burst.subject)).toMatchObject({
      outcome: 'REACTIVATION_OUTCOME_RESTORED',
      state: 'ACTION_NONE',
    });
    await restart();
    await suspend(carrier, burst.subject);
    expect(await outcomeOf('burst-2', burst.subject)).toBe('REACTIVATION_OUTCOME_RESTORED');
  });

  it('records a rejected appeal without touching the number', async () => {
    const [msisdn] = await subscribe(carrier, shop, ['13330000021']);
    await suspend(carrier, msisdn);
    const decisions = await decisionsOf(msisdn);
    expect(await appeal('rejected-1', msisdn, false)).toEqual({
      msisdn,
      outcome: 'APPEAL_OUTCOME_REJECTED',
      state: 'ACTION_SUSPEND',
      replayed: false,
    });
    expect(await decisionsOf(msisdn)).toEqual(decisions);
    expect(
      await query(
        carrier,
        `SELECT upheld, reference, note, resolved_by FROM appeal WHERE idempotency_key = 'rejected-1'`,
      ),
    ).toEqual([
      {
        upheld: false,
        reference: 'appeal-rejected-1',
        note: 'courier, employer confirmed',
        resolved_by: 'analyst-desk-3',
      },
    ]);
  });

  it('is idempotent: retries are replayed, a key reused with other content is ALREADY_EXISTS', async () => {
    const [msisdn] = await subscribe(carrier, shop, ['13330000031']);
    await suspend(carrier, msisdn);
    const first = await reactivate('idem-1', msisdn);
    expect(await reactivate('idem-1', msisdn)).toEqual({ ...first, replayed: true });
    // Lower-case x is the same national ID.
    expect(await reactivate('idem-1', msisdn, { nationalId: NATIONAL_ID.toLowerCase() })).toMatchObject({
      outcome: first.outcome,
      replayed: true,
    });
    await expect(reactivate('idem-1', msisdn, { nationalId: OTHER_ID })).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      details: expect.stringContaining('idempotency_key'),
    });
    expect(
      await query(carrier, `SELECT count(*)::int AS n FROM reactivation WHERE idempotency_key = 'idem-1'`),
    ).toEqual([{ n: 1 }]);

    await suspend(carrier, msisdn);
    const upheld = await appeal('idem-appeal', msisdn, true);
    expect(await appeal('idem-appeal', msisdn, true)).toEqual({ ...upheld, replayed: true });
    await expect(appeal('idem-appeal', msisdn, false)).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    expect(await query(carrier, `SELECT count(*)::int AS n FROM appeal WHERE idempotency_key = 'idem-appeal'`)).toEqual(
      [{ n: 1 }],
    );
  });

  it('serialises concurrent requests with one key: one acts, the other replays it or is refused', async () => {
    const [msisdn] = await subscribe(carrier, shop, ['13330000032']);
    await suspend(carrier, msisdn);
    // Sent together, either may take the key first: the one that does acts.
    const same = await Promise.all([reactivate('race-1', msisdn), reactivate('race-1', msisdn)]);
    expect(expectOneFirstAnswer(same).outcome).toBe('REACTIVATION_OUTCOME_RESTORED');
    await suspend(carrier, msisdn);
    const other = await Promise.allSettled([appeal('race-2', msisdn, true), appeal('race-2', msisdn, false)]);
    const acted = other.findIndex((r) => r.status === 'fulfilled');
    const upheld = acted === 0;
    expect(other.map((r) => (r.status === 'fulfilled' ? r.value.state : (r.reason as { code: number }).code))).toEqual(
      upheld ? ['ACTION_NONE', status.ALREADY_EXISTS] : [status.ALREADY_EXISTS, 'ACTION_SUSPEND'],
    );
    expect(await query(carrier, `SELECT upheld FROM appeal WHERE idempotency_key = 'race-2'`)).toEqual([{ upheld }]);
  });

  it(
    'restores no number the police confirmed: CONFIRMED_FRAUD to Reactivate and to an upheld appeal, ' +
      'kept and answered again, after a restart too',
    async () => {
      const [msisdn] = await subscribe(carrier, shop, ['13330000061']);
      await registryChange(carrier, msisdn, 'CONFIRMED');
      expect(levelOf(carrier, msisdn)).toBe('SUSPEND');
      const decisions = await decisionsOf(msisdn);
      const held = { msisdn, state: 'ACTION_SUSPEND', replayed: false };
      expect(await reactivate('confirmed-1', msisdn)).toEqual({
        ...held,
        outcome: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD',
      });
      expect(await appeal('confirmed-appeal', msisdn, true)).toEqual({
        ...held,
        outcome: 'APPEAL_OUTCOME_CONFIRMED_FRAUD',
      });
      expect(await decisionsOf(msisdn)).toEqual(decisions);
      expect(await query(carrier, `SELECT outcome FROM reactivation WHERE msisdn = $1`, [msisdn])).toEqual([
        { outcome: 'CONFIRMED_FRAUD' },
      ]);
      expect(await query(carrier, `SELECT upheld, outcome FROM appeal WHERE msisdn = $1`, [msisdn])).toEqual([
        { upheld: true, outcome: 'CONFIRMED_FRAUD' },
      ]);
      // Explain and call setup say the same: blocked by the registry, the police's review is the way out.
      const explained = await shop.explainNumber({ msisdn, purpose: 'shop counter: re-activation refused' });
      expect(explained).toMatchObject({ state: 'ACTION_SUSPEND', registryStatus: 'NUMBER_STATUS_CONFIRMED' });
      expect(explained.nextStepsEn).toMatch(
        /^Calls from this number are blocked: the police confirmed fraud on it in the fraud registry\./,
      );
      expect(explained.nextStepsEn).not.toMatch(/normal|re-activation chance/);
      expect(await shop.checkCall({ caller: msisdn, callee: '13800000000' })).toEqual({
        verdict: 'CALL_VERDICT_BLOCK',
        reasons: ['SUSPENDED', 'REGISTRY_CONFIRMED'],
      });

      await restart();
      expect(await reactivate('confirmed-1', msisdn)).toEqual({
        ...held,
        outcome: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD',
        replayed: true,
      });
      expect(await appeal('confirmed-appeal', msisdn, true)).toEqual({
        ...held,
        outcome: 'APPEAL_OUTCOME_CONFIRMED_FRAUD',
        replayed: true,
      });
      expect(await reactivate('confirmed-2', msisdn)).toEqual({
        ...held,
        outcome: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD',
      });

      // Once the police clear it the registry restores it; a retry of the old request still answers what it was.
      await registryChange(carrier, msisdn, 'CLEARED');
      expect(levelOf(carrier, msisdn)).toBe('NONE');
      expect(await reactivate('confirmed-1', msisdn)).toEqual({
        msisdn,
        state: 'ACTION_SUSPEND',
        outcome: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD',
        replayed: true,
      });
    },
  );

  it('holds a number confirmed after its re-activation: suspended again, and no second re-activation', async () => {
    const [msisdn] = await subscribe(carrier, shop, ['13330000062']);
    await suspend(carrier, msisdn);
    expect(await outcomeOf('reconfirmed-1', msisdn)).toBe('REACTIVATION_OUTCOME_RESTORED');
    await registryChange(carrier, msisdn, 'CONFIRMED');
    expect(levelOf(carrier, msisdn)).toBe('SUSPEND');
    expect(await reactivate('reconfirmed-2', msisdn)).toMatchObject({
      outcome: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD',
      state: 'ACTION_SUSPEND',
    });
  });

  it.each([
    ['a wrong check character', { nationalId: '11010519491231002Y' }, 'national_id: must be 18 characters'],
    ['a bad checksum', { nationalId: '110105194912310021' }, 'national_id: the check character does not match'],
    ['17 characters', { nationalId: '11010519491231002' }, 'national_id: must be 18 characters'],
    ['full-width digits', { nationalId: '１１０１０５１９４９１２３１００２X' }, 'national_id: must be 18 characters'],
    [
      'no national ID for a passed check',
      { nationalId: '' },
      'national_id: the national ID number checked is required',
    ],
    [
      'the national ID inside the reference',
      { verificationReference: `eid ${NATIONAL_ID}` },
      'verification_reference: must not contain the national ID',
    ],
    ['no verification reference', { verificationReference: '' }, 'verification_reference: is required'],
    [
      'a reference over 200 characters',
      { verificationReference: 'r'.repeat(201) },
      'verification_reference: at most 200',
    ],
    ['a bad number', { msisdn: '１３３３００００００１' }, 'msisdn'],
    ['no idempotency key', { idempotencyKey: '' }, 'idempotency_key'],
  ])('Reactivate refuses %s with INVALID_ARGUMENT naming the field', async (_case, overrides, details) => {
    await expect(reactivate('bad-reactivate', '13330000001', overrides)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining(details),
    });
  });

  it.each([
    ['no reference', { reference: ' ' }, 'reference: is required'],
    ['a note over 4,000 characters', { note: 'n'.repeat(4001) }, 'note: at most 4000'],
    ['a bad number', { msisdn: '+86133' }, 'msisdn'],
    ['no idempotency key', { idempotencyKey: '' }, 'idempotency_key'],
  ])('ResolveAppeal refuses %s with INVALID_ARGUMENT naming the field', async (_case, overrides, details) => {
    await expect(appeal('bad-appeal', '13330000001', true, overrides)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining(details),
    });
  });

  it('refuses numbers that are not this carrier’s subscribers with NOT_FOUND', async () => {
    await expect(reactivate('nf-1', '13339999999')).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: expect.stringContaining('msisdn: is not a subscriber'),
    });
    await expect(appeal('nf-2', '13339999999', true)).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('admits this carrier to Reactivate, and this carrier or the administration to ResolveAppeal', async () => {
    for (const role of ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police']) {
      await expect(reactivate(`role-${role}`, '13330000001', {}, carrier.client(role))).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
    }
    for (const role of ['carrier:CMCC', 'analyst', 'police']) {
      await expect(appeal(`role-${role}`, '13330000001', false, {}, carrier.client(role))).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
    }
    expect(await appeal('role-own-carrier', '13330000001', false, {}, shop)).toMatchObject({ replayed: false });
  });

  it('audits both: who, which number, the reference and the outcome, never the national ID', async () => {
    const [msisdn] = await subscribe(carrier, shop, ['13330000041']);
    await suspend(carrier, msisdn);
    await reactivate('audit-1', msisdn);
    await expect(reactivate('audit-1', msisdn, { nationalId: OTHER_ID })).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
    });
    await expect(reactivate('audit-2', msisdn, { verificationReference: `eid ${NATIONAL_ID}` })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    await expect(reactivate('audit-3', msisdn, {}, carrier.client('carrier:CMCC'))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    await appeal('audit-appeal', msisdn, true);
    await expect(appeal('audit-appeal', msisdn, false)).rejects.toMatchObject({ code: status.ALREADY_EXISTS });

    const lines = await query(
      carrier,
      `SELECT actor, role, action, outcome, detail FROM audit_event WHERE target = $1 ORDER BY id`,
      [msisdn],
    );
    const rpc = (name: string) => `fraud.carrier.v1.CarrierService/${name}`;
    expect(lines.map((l) => [l.action, l.outcome])).toEqual([
      [rpc('Reactivate'), 'OK'],
      [rpc('Reactivate'), 'ALREADY_EXISTS'],
      [rpc('Reactivate'), 'INVALID_ARGUMENT'],
      [rpc('Reactivate'), 'PERMISSION_DENIED'],
      [rpc('ResolveAppeal'), 'OK'],
      [rpc('ResolveAppeal'), 'ALREADY_EXISTS'],
    ]);
    expect(lines[0]).toMatchObject({
      actor: 'shop-chengdu-12',
      role: 'carrier:CTCC',
      detail: { verificationReference: 'ticket-audit-1', idVerified: true },
    });
    // The reference that carried a national ID is logged with it blanked.
    expect(lines[2].detail).toEqual({ verificationReference: 'eid [redacted]', idVerified: true });
    expect(lines[3]).toMatchObject({ role: 'carrier:CMCC' });
    expect(lines[4]).toMatchObject({
      actor: 'analyst-desk-3',
      role: 'admin:sichuan',
      detail: { upheld: true, reference: 'appeal-audit-appeal' },
    });
  });

  it('keeps no national ID in clear anywhere in the carrier database', async () => {
    const [msisdn] = await subscribe(carrier, shop, ['13330000051']);
    await suspend(carrier, msisdn);
    await reactivate('clear-1', msisdn, { nationalId: OTHER_ID });
    await reactivate('clear-2', msisdn, { idVerified: false });
    const tables = (await query(carrier, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).map((t) =>
      String(t.tablename),
    );
    expect(tables).toEqual(expect.arrayContaining(['reactivation', 'audit_event', 'decision', 'notice', 'outbox']));
    // The first fourteen characters: the number, or any part of it beyond the last four kept.
    for (const id of [NATIONAL_ID, OTHER_ID]) {
      for (const table of tables) {
        const [found] = await query(carrier, `SELECT count(*)::int AS n FROM "${table}" t WHERE t::text ILIKE $1`, [
          `%${id.slice(0, 14)}%`,
        ]);
        expect({ table, id, n: found.n }).toEqual({ table, id, n: 0 });
      }
    }
    expect(
      await query(carrier, `SELECT national_id_last4 FROM reactivation WHERE msisdn = $1 ORDER BY id`, [msisdn]),
    ).toEqual([{ national_id_last4: '1233' }, { national_id_last4: '002X' }]);
  });
});
