import { Client } from 'pg';
import type { registry } from '@app/contracts';
import { atOnce, CONCURRENT_CALLS, expectOneFirstAnswer } from '@app/testing';
import { aFlag, numbers, RegistryHarness, type RegistryClient } from './registry-harness';

/**
 * The registry's writes under concurrent retries, on the default pool of 10
 * connections: identical calls act once and answer as the first call, different
 * calls all succeed, and the registry goes on answering.
 */
describe.each(CONCURRENT_CALLS)('registry writes, %i calls at once', (n) => {
  let harness: RegistryHarness;
  let carrier: RegistryClient;
  let police: RegistryClient;

  beforeAll(async () => {
    harness = await RegistryHarness.start();
    carrier = harness.client('carrier:CTCC');
    police = harness.client('police', 'officer-0427');
  });
  afterAll(() => harness.close());

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const pg = new Client({ connectionString: harness.db.url });
    await pg.connect();
    try {
      return Number((await pg.query(sql, params)).rows[0].n);
    } finally {
      await pg.end();
    }
  }
  const confirm = (key: string, msisdn: string, client = police) =>
    client.verifyNumber({
      idempotencyKey: key,
      msisdn,
      outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
      caseId: 'CD-2024-0117',
      note: 'call centre raided',
    });
  /** Other calls are still answered: a read from memory and one from the database. */
  async function expectStillAnswering(): Promise<void> {
    await expect(police.checkNumbers({ msisdns: ['19100000000'] })).resolves.toHaveProperty('results');
    await expect(
      police.getNumberRecord({ msisdn: '19100000000', purpose: 'concurrency check' }),
    ).resolves.toBeDefined();
  }
  const flagAnswers = (answers: registry.SubmitFlagsResponse[]) =>
    answers.map((a) => ({ ...a.results[0], replayed: a.results.every((r) => r.replayed) }));

  it('SubmitFlags: identical batches list once, answered as the first; different ones all list', async () => {
    const batch = numbers(3, 1000 + n * 10).map((m) => aFlag(m));
    const answers = await atOnce(n, () => carrier.submitFlags({ flags: batch }));
    expectOneFirstAnswer(flagAnswers(answers));
    for (const answer of answers)
      expect(answer.results.map((r) => ({ ...r, replayed: false }))).toEqual(
        answers.find((a) => !a.results[0].replayed)!.results,
      );
    expect(
      await count(`SELECT count(*) AS n FROM flag WHERE idempotency_key = ANY($1::varchar[])`, [
        batch.map((f) => f.idempotencyKey),
      ]),
    ).toBe(3);
    expect(
      await count(`SELECT count(*) AS n FROM status_change WHERE msisdn = ANY($1::varchar[])`, [
        batch.map((f) => f.msisdn),
      ]),
    ).toBe(3);
    await expectStillAnswering();

    const each = await atOnce(n, (i) => carrier.submitFlags({ flags: [aFlag(numbers(1, 5000 + n * 100 + i)[0])] }));
    expect(each.every((a) => a.results[0].status === 'NUMBER_STATUS_SUSPECTED' && !a.results[0].replayed)).toBe(true);
    await expectStillAnswering();
  });

  it('VerifyNumber: same calls confirm once, answered as the first, none refused; different ones all do', async () => {
    const listed = numbers(n + 1, 20_000 + n * 100);
    await carrier.submitFlags({ flags: listed.map((m) => aFlag(m)) });
    const [msisdn, ...others] = listed;
    const first = expectOneFirstAnswer(await atOnce(n, () => confirm(`confirm-${n}`, msisdn)));
    expect(first).toMatchObject({ msisdn, status: 'NUMBER_STATUS_CONFIRMED' });
    expect(await count(`SELECT count(*) AS n FROM verification WHERE idempotency_key = $1`, [`confirm-${n}`])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM status_change WHERE msisdn = $1 AND cause = 'VERIFICATION'`, [msisdn]),
    ).toBe(1);
    await expectStillAnswering();

    const each = await atOnce(n, (i) => confirm(`confirm-${n}-${i}`, others[i]));
    expect(each.every((a) => a.status === 'NUMBER_STATUS_CONFIRMED' && !a.replayed)).toBe(true);
    await expectStillAnswering();
  });

  it('VerifyNumber through two replicas on one database: one verification', async () => {
    const [msisdn] = numbers(1, 40_000 + n);
    await carrier.submitFlags({ flags: [aFlag(msisdn)] });
    const replica = await harness.replica();
    try {
      const there = replica.client('police', 'officer-0427');
      expectOneFirstAnswer(
        await atOnce(n, (i) => confirm(`confirm-replicas-${n}`, msisdn, i % 2 === 0 ? police : there)),
      );
      expect(
        await count(`SELECT count(*) AS n FROM verification WHERE idempotency_key = $1`, [`confirm-replicas-${n}`]),
      ).toBe(1);
    } finally {
      await replica.stop();
    }
  });
});
