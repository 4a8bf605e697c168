import { DEFAULT_POLICY, UsageProfile, type Msisdn } from '@app/domain';
import { atOnce, CONCURRENT_CALLS, expectOneFirstAnswer, expectSameAnswers } from '@app/testing';
import { newNumberBurst } from '../../../libs/domain/src/carrier/fixtures';
import { AnalysisService } from '../src/analysis/analysis.service';
import { DecisionRecorder } from '../src/decisions/decision-recorder.service';
import { ReactivationRepository } from '../src/reactivation/reactivation.repository';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { levelOf, query, subscribe, suspend } from './ladder-helpers';

const NATIONAL_ID = '11010519491231002X';

/**
 * Every carrier write under concurrent retries, on the default pool of 10
 * connections: identical calls act once, in the database and in the engine, and
 * answer as the first call; different calls all succeed; the carrier goes on answering.
 */
describe.each(CONCURRENT_CALLS)('carrier writes, %i calls at once', (n) => {
  let harness: CarrierHarness;
  let shop: CarrierClient;
  let desk: CarrierClient;
  let ops: CarrierClient;

  beforeAll(async () => {
    // One client sends up to 50 streams at once here, past the default share of one client.
    harness = await CarrierHarness.start('CTCC', { env: { LIMIT_STREAMS_PER_CLIENT: '64' } });
    shop = harness.client('carrier:CTCC', 'shop-chengdu-12');
    desk = harness.client('admin:sichuan', 'analyst-desk-3');
    ops = harness.client('carrier:CTCC', 'ops-li');
  });
  afterAll(() => harness.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await query(harness, sql, params))[0].n);
  /** CTCC numbers (segment 133), `series` apart for each test. */
  const numbers = (series: number, size: number) =>
    Array.from({ length: size }, (_, i) => `133${series}${String(n).padStart(2, '0')}${String(i).padStart(5, '0')}`);
  async function suspended(series: number, size: number): Promise<Msisdn[]> {
    const subscribers = await subscribe(harness, shop, numbers(series, size));
    for (const msisdn of subscribers) await suspend(harness, msisdn);
    return subscribers;
  }
  const reactivate = (key: string, msisdn: string) =>
    shop.reactivate({
      idempotencyKey: key,
      msisdn,
      verificationReference: `ticket-${key}`,
      nationalId: NATIONAL_ID,
      idVerified: true,
    });
  const appeal = (key: string, msisdn: string) =>
    desk.resolveAppeal({
      idempotencyKey: key,
      msisdn,
      upheld: true,
      reference: `appeal-${key}`,
      note: 'employer confirmed',
    });
  const declare = (key: string, msisdn: string, as = shop) =>
    as.declareProfile({
      idempotencyKey: key,
      msisdn,
      profile: 'USAGE_PROFILE_COURIER' as never,
      attestedBy: 'SF Express',
      attestationReference: `SF-${key}`,
    });
  const restores = (msisdn: string, reason: string) =>
    count(
      `SELECT count(*) AS n FROM decision
       WHERE msisdn = $1 AND action = 'RESTORE' AND $2 = ANY (reasons) AND NOT shadow`,
      [msisdn, reason],
    );

  /** Other calls are still answered: a read from memory and one from the database. */
  async function expectStillAnswering(): Promise<void> {
    await expect(shop.checkCall({ caller: '13300000000', callee: '13800000000' })).resolves.toHaveProperty('verdict');
    await expect(ops.listPolicies({})).resolves.toHaveProperty('versions');
  }

  it('Reactivate: same calls restore once in engine and database, answered as the first; others all do', async () => {
    const [msisdn, ...others] = await suspended(4, n + 1);
    const first = expectOneFirstAnswer(await atOnce(n, () => reactivate(`reactivate-${n}`, msisdn)));
    expect(first).toMatchObject({ outcome: 'REACTIVATION_OUTCOME_RESTORED', state: 'ACTION_NONE' });
    expect(await count(`SELECT count(*) AS n FROM reactivation WHERE idempotency_key = $1`, [`reactivate-${n}`])).toBe(
      1,
    );
    expect(await restores(msisdn, 'ID_VERIFIED')).toBe(1);
    expect(levelOf(harness, msisdn)).toBe('NONE');
    await expectStillAnswering();

    const each = await atOnce(n, (i) => reactivate(`reactivate-${n}-${i}`, others[i]));
    expect(each.every((a) => !a.replayed && a.outcome === 'REACTIVATION_OUTCOME_RESTORED')).toBe(true);
    expect(others.map((m) => levelOf(harness, m))).toEqual(others.map(() => 'NONE'));
    await expectStillAnswering();
  });

  it('ResolveAppeal: identical calls restore once, answered as the first; different ones all restore', async () => {
    const [msisdn, ...others] = await suspended(5, n + 1);
    const first = expectOneFirstAnswer(await atOnce(n, () => appeal(`appeal-${n}`, msisdn)));
    expect(first).toMatchObject({ state: 'ACTION_NONE' });
    expect(await count(`SELECT count(*) AS n FROM appeal WHERE idempotency_key = $1`, [`appeal-${n}`])).toBe(1);
    expect(await restores(msisdn, 'APPEAL_UPHELD')).toBe(1);

    const each = await atOnce(n, (i) => appeal(`appeal-${n}-${i}`, others[i]));
    expect(each.every((a) => !a.replayed)).toBe(true);
    expect(others.map((m) => levelOf(harness, m))).toEqual(others.map(() => 'NONE'));
    await expectStillAnswering();
  });

  it('DeclareProfile: identical calls declare once, answered as the first; different ones all declare', async () => {
    const [msisdn, ...others] = await subscribe(harness, shop, numbers(6, n + 1));
    const first = expectOneFirstAnswer(await atOnce(n, () => declare(`declare-${n}`, msisdn)));
    expect(first).toEqual({
      msisdn,
      profile: 'USAGE_PROFILE_COURIER',
      outcome: 'DECLARATION_OUTCOME_DECLARED',
      replayed: false,
    });
    expect(
      await count(`SELECT count(*) AS n FROM profile_declaration WHERE idempotency_key = $1`, [`declare-${n}`]),
    ).toBe(1);
    expect(harness.app.get(AnalysisService).state.subscriberOf(msisdn)?.profile).toBe(UsageProfile.Courier);

    const each = await atOnce(n, (i) => declare(`declare-${n}-${i}`, others[i]));
    expect(each.every((a) => !a.replayed)).toBe(true);
    expect(
      await count(`SELECT count(*) AS n FROM profile_declaration WHERE idempotency_key LIKE $1`, [`declare-${n}-%`]),
    ).toBe(n);
    await expectStillAnswering();
  });

  it('Reactivate/DeclareProfile via two replicas, one database: one re-activation, restore, declaration', async () => {
    const [suspendedNumber] = await suspended(7, 1);
    const [declared] = await subscribe(harness, shop, numbers(8, 1));
    // Started after the suspension, so both replicas' engines hold it.
    const replica = await harness.replica();
    try {
      const shopThere = replica.client('carrier:CTCC', 'shop-chengdu-12');
      const reactivateAt = (client: CarrierClient) =>
        client.reactivate({
          idempotencyKey: `reactivate-replicas-${n}`,
          msisdn: suspendedNumber,
          verificationReference: 'ticket',
          nationalId: NATIONAL_ID,
          idVerified: true,
        });
      expectOneFirstAnswer(await atOnce(n, (i) => reactivateAt(i % 2 === 0 ? shop : shopThere)));
      expect(
        await count(`SELECT count(*) AS n FROM reactivation WHERE idempotency_key = $1`, [`reactivate-replicas-${n}`]),
      ).toBe(1);
      expect(await restores(suspendedNumber, 'ID_VERIFIED')).toBe(1);

      expectOneFirstAnswer(
        await atOnce(n, (i) => declare(`declare-replicas-${n}`, declared, i % 2 === 0 ? shop : shopThere)),
      );
      expect(
        await count(`SELECT count(*) AS n FROM profile_declaration WHERE idempotency_key = $1`, [
          `declare-replicas-${n}`,
        ]),
      ).toBe(1);
    } finally {
      await replica.stop();
    }
  });

  it('PutPolicy, SetPolicy: same calls store/switch once, answered alike; different ones all succeed', async () => {
    const put = (version: number) =>
      ops.putPolicy({ document: JSON.stringify({ ...DEFAULT_POLICY, version, description: `concurrency ${n}` }) });
    const set = (policy: string, reason: string) =>
      ops.setPolicy({ policy, mode: 'POLICY_MODE_SHADOW' as never, reason });
    const assignments = () => count(`SELECT count(*) AS n FROM policy_assignment`);

    const stored = expectSameAnswers(await atOnce(n, () => put(100)));
    expect(stored.version).toMatchObject({ name: 'default', version: 100, createdBy: 'ops-li' });
    expect(await count(`SELECT count(*) AS n FROM policy WHERE name = 'default' AND version = 100`)).toBe(1);
    const before = await assignments();
    expect(expectSameAnswers(await atOnce(n, () => set('default@100', 'shadow run of the copy')))).toEqual({
      active: 'default@5',
      shadow: 'default@100',
    });
    expect(await assignments()).toBe(before + 1);
    expect(harness.app.get(AnalysisService).state.shadow?.label).toBe('default@100');

    const versions = Array.from({ length: n }, (_, i) => 101 + i);
    const puts = await atOnce(n, (i) => put(versions[i]));
    expect(puts.map((p) => p.version!.version)).toEqual(versions);
    const switches = await atOnce(n, (i) => set(`default@${versions[i]}`, `shadow run ${i}`));
    expect(switches.every((s) => s.active === 'default@5')).toBe(true);
    expect(await assignments()).toBe(before + 1 + n);
    // The engine runs what the last recorded switch says.
    const [last] = await query(harness, `SELECT name, version FROM policy_assignment ORDER BY id DESC LIMIT 1`);
    expect(harness.app.get(AnalysisService).state.shadow?.label).toBe(`${last.name}@${last.version}`);
    await expectStillAnswering();
  });

  it('IngestEvents: identical streams retried at once analyse each event and record its decisions once', async () => {
    const burst = newNumberBurst();
    const batches = toWire(
      burst.events.filter((e) => e.type !== 'high_risk_cell'),
      50,
      `burst-${n}`,
    );
    const events = batches.flat().length;
    const answers = await atOnce(n, () => ingest(shop, batches));
    expect(answers.reduce((sum, a) => sum + a.accepted, 0)).toBe(events);
    expect(answers.reduce((sum, a) => sum + a.duplicates, 0)).toBe(events * (n - 1));
    expect(answers.every((a) => a.rejected === 0)).toBe(true);
    const decided = answers.reduce((sum, a) => sum + a.decisions, 0);
    expect(decided).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM decision WHERE msisdn = $1 AND NOT shadow`, [burst.subject])).toBe(
      decided,
    );
    await expectStillAnswering();
  });
});

describe('carrier writes whose transaction fails', () => {
  let harness: CarrierHarness;
  let shop: CarrierClient;

  beforeAll(async () => {
    harness = await CarrierHarness.start('CTCC');
    shop = harness.client('carrier:CTCC', 'shop-chengdu-12');
  });
  afterAll(() => harness.close());
  afterEach(() => jest.restoreAllMocks());

  const reactivate = (key: string, msisdn: string) =>
    shop.reactivate({
      idempotencyKey: key,
      msisdn,
      verificationReference: `ticket-${key}`,
      nationalId: NATIONAL_ID,
      idVerified: true,
    });

  it('Reactivate: leaves the engine and the database as they were, so the retry restores once', async () => {
    const [msisdn] = await subscribe(harness, shop, ['13349000001']);
    await suspend(harness, msisdn);
    jest
      .spyOn(harness.app.get(ReactivationRepository), 'insertReactivation')
      .mockRejectedValueOnce(new Error('connection lost'));
    await expect(reactivate('fails-once', msisdn)).rejects.toMatchObject({ code: 13 });
    expect(levelOf(harness, msisdn)).toBe('SUSPEND');
    expect(
      await query(harness, `SELECT action FROM decision WHERE msisdn = $1 AND action = 'RESTORE'`, [msisdn]),
    ).toEqual([]);

    await expect(reactivate('fails-once', msisdn)).resolves.toMatchObject({
      outcome: 'REACTIVATION_OUTCOME_RESTORED',
      state: 'ACTION_NONE',
      replayed: false,
    });
    expect(
      await query(
        harness,
        `SELECT action, reasons FROM decision WHERE msisdn = $1 AND action = 'RESTORE' AND NOT shadow`,
        [msisdn],
      ),
    ).toEqual([{ action: 'RESTORE', reasons: ['ID_VERIFIED'] }]);
  });

  it('ResolveAppeal: leaves the engine and the database as they were, so the retry restores once', async () => {
    const [msisdn] = await subscribe(harness, shop, ['13349000004']);
    await suspend(harness, msisdn);
    jest
      .spyOn(harness.app.get(ReactivationRepository), 'insertAppeal')
      .mockRejectedValueOnce(new Error('connection lost'));
    const desk = harness.client('admin:sichuan', 'analyst-desk-3');
    const appeal = () =>
      desk.resolveAppeal({ idempotencyKey: 'appeal-fails', msisdn, upheld: true, reference: 'appeal-1', note: '' });
    await expect(appeal()).rejects.toMatchObject({ code: 13 });
    expect(levelOf(harness, msisdn)).toBe('SUSPEND');
    expect(
      await query(harness, `SELECT action FROM decision WHERE msisdn = $1 AND action = 'RESTORE'`, [msisdn]),
    ).toEqual([]);
    await expect(appeal()).resolves.toMatchObject({ state: 'ACTION_NONE', replayed: false });
    expect(
      await query(harness, `SELECT reasons FROM decision WHERE msisdn = $1 AND action = 'RESTORE' AND NOT shadow`, [
        msisdn,
      ]),
    ).toEqual([{ reasons: ['APPEAL_UPHELD'] }]);
  });

  it('DeclareProfile: takes the profile back out of the engine when its transaction fails afterwards', async () => {
    const [msisdn] = await subscribe(harness, shop, ['13349000002']);
    jest.spyOn(harness.app.get(DecisionRecorder), 'writeIn').mockRejectedValueOnce(new Error('connection lost'));
    const declare = () =>
      shop.declareProfile({
        idempotencyKey: 'declare-fails',
        msisdn,
        profile: 'USAGE_PROFILE_COURIER' as never,
        attestedBy: 'SF Express',
        attestationReference: 'SF-1',
      });
    await expect(declare()).rejects.toMatchObject({ code: 13 });
    expect(harness.app.get(AnalysisService).state.subscriberOf(msisdn)?.profile).toBe(UsageProfile.None);
    expect(await query(harness, `SELECT profile FROM subscriber WHERE msisdn = $1`, [msisdn])).toEqual([
      { profile: 'none' },
    ]);
    await expect(declare()).resolves.toMatchObject({ profile: 'USAGE_PROFILE_COURIER', replayed: false });
    expect(harness.app.get(AnalysisService).state.subscriberOf(msisdn)?.profile).toBe(UsageProfile.Courier);
  });

  it('IngestEvents: answers a retried stream only once the first copy of its events is durable', async () => {
    const analysis = harness.app.get(AnalysisService);
    const recorder = harness.app.get(DecisionRecorder);
    const writeIn = recorder.writeIn.bind(recorder);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first copy's decisions wait until released; the retry, all duplicates, has none of its own to write.
    jest.spyOn(recorder, 'writeIn').mockImplementation(async (em, steps) => {
      await held;
      return writeIn(em, steps);
    });
    const analyse = analysis.analyse.bind(analysis);
    const analysed: Awaited<ReturnType<AnalysisService['analyse']>>[] = [];
    jest.spyOn(analysis, 'analyse').mockImplementation(async (events) => {
      const result = await analyse(events);
      analysed.push(result);
      return result;
    });
    const burst = newNumberBurst();
    const batches = toWire(
      burst.events.filter((e) => e.type !== 'high_risk_cell'),
      1000,
      'held',
    );
    const answers = Promise.all([ingest(shop, batches), ingest(shop, batches)]);
    let retried: (typeof analysed)[number] | undefined;
    while (!(retried = analysed.find((r) => r.outcome.duplicates > 0))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const state = await Promise.race([
      retried.durable.then(() => 'durable'),
      new Promise((resolve) => setImmediate(() => resolve('waiting'))),
    ]);
    expect(state).toBe('waiting');
    release();
    const [one, two] = await answers;
    expect(one.accepted + two.accepted).toBe(batches.flat().length);
    expect(one.duplicates + two.duplicates).toBe(batches.flat().length);
    expect(await count(harness, burst.subject)).toBe(one.decisions + two.decisions);
  });
});

async function count(harness: CarrierHarness, msisdn: string): Promise<number> {
  return Number(
    (await query(harness, `SELECT count(*) AS n FROM decision WHERE msisdn = $1 AND NOT shadow`, [msisdn]))[0].n,
  );
}
