import { CARRIER_IDS } from '@app/domain';
import { atOnce, CONCURRENT_CALLS, until, expectOneFirstAnswer, sampleOf, scrapeMetrics } from '@app/testing';
import {
  aCountItem,
  aDecisionItem,
  AdminHarness,
  directiveStream,
  type AdminClient,
  type DirectiveStream,
} from './admin-harness';

/**
 * Every admin write under concurrent retries, on the default pool of 10
 * connections: identical calls act once and answer as the first call, different
 * calls all succeed, and the service goes on answering afterwards.
 */
describe.each(CONCURRENT_CALLS)('admin writes, %i calls at once', (n) => {
  let harness: AdminHarness;
  let administration: AdminClient;
  let cbn: AdminClient;

  beforeAll(async () => {
    // One carrier opens 50 streams at once here, three rounds running, past the default share of one client.
    harness = await AdminHarness.start({ env: { LIMIT_STREAMS_PER_CLIENT: '200' } });
    administration = harness.client('admin:sichuan', 'admin-li');
    cbn = harness.client('carrier:CBN');
  });
  afterAll(() => harness.close());

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await harness.sql<{ n: string }>(sql, params))[0].n);
  /** A CTCC number (segment 191), one per index. */
  const ctccNumber = (i: number) => `+86191${String(70_000_000 + i).padStart(8, '0')}`;
  const issue = (key: string, msisdn: string, client = administration) =>
    client.issueDirective({
      idempotencyKey: key,
      msisdn,
      kind: 'DIRECTIVE_KIND_REVIEW' as never,
      reason: 'reported by three carriers',
    });
  const add = (key: string, cell: string) =>
    administration.addHighRiskCell({
      idempotencyKey: key,
      cell,
      reason: 'police tip-off',
      source: 'police:chengdu',
      expiresInDays: 30,
    });
  const remove = (key: string, cell: string) =>
    administration.removeHighRiskCell({ idempotencyKey: key, cell, reason: 'raid finished' });
  const cell = (i: number) => `460-03-${10_000 + n}-${i + 1}`;

  /** Other calls are still answered: gRPC and HTTP, reads that need a pooled connection. */
  async function expectStillAnswering(): Promise<void> {
    await expect(administration.listDirectives({ page: { pageSize: 1, pageToken: '' } })).resolves.toHaveProperty(
      'directives',
    );
    await expect(harness.get('/api/cells', 'analyst')).resolves.toMatchObject({ status: 200 });
  }

  it('IssueDirective: identical calls issue once, answered as the first; different ones all issue', async () => {
    const msisdn = ctccNumber(0);
    const answers = await atOnce(n, () => issue(`issue-same-${n}`, msisdn));
    const first = expectOneFirstAnswer(answers);
    expect(first.directive).toMatchObject({ status: 'DIRECTIVE_STATUS_PENDING', deliveries: 0, directive: { msisdn } });
    expect(
      await count(`SELECT count(*) AS n FROM directive WHERE idempotency_key = $1`, [`issue:issue-same-${n}`]),
    ).toBe(1);
    await expectStillAnswering();

    const different = await atOnce(n, (i) => issue(`issue-each-${n}-${i}`, ctccNumber(i + 1)));
    expect(different.every((a) => !a.replayed)).toBe(true);
    expect(new Set(different.map((a) => a.directive!.directive!.directiveId)).size).toBe(n);
    expect(
      await count(`SELECT count(*) AS n FROM directive WHERE idempotency_key LIKE $1`, [`issue:issue-each-${n}-%`]),
    ).toBe(n);
    await expectStillAnswering();
  });

  it('IssueDirective through two replicas on one database: one directive', async () => {
    const replica = await harness.replica();
    try {
      const other = replica.client('admin:sichuan', 'admin-li');
      const msisdn = ctccNumber(9_000);
      const answers = await atOnce(n, (i) =>
        issue(`issue-replicas-${n}`, msisdn, i % 2 === 0 ? administration : other),
      );
      expectOneFirstAnswer(answers);
      expect(
        await count(`SELECT count(*) AS n FROM directive WHERE idempotency_key = $1`, [`issue:issue-replicas-${n}`]),
      ).toBe(1);
    } finally {
      await replica.stop();
    }
  });

  it('Add/RemoveHighRiskCell: identical calls make one version, answered as the first; others all apply', async () => {
    const before = (await administration.listHighRiskCells()).list!.version;
    const added = expectOneFirstAnswer(await atOnce(n, () => add(`add-same-${n}`, cell(0))));
    expect(added.list).toMatchObject({ version: before + 1 });
    expect(
      await count(`SELECT count(*) AS n FROM high_risk_cell_change WHERE idempotency_key = $1`, [`add-same-${n}`]),
    ).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM directive WHERE kind = 'HIGH_RISK_CELLS' AND cells_version = $1`, [
        before + 1,
      ]),
    ).toBe(CARRIER_IDS.length);

    const removed = expectOneFirstAnswer(await atOnce(n, () => remove(`remove-same-${n}`, cell(0))));
    expect(removed.list).toMatchObject({ version: before + 2 });
    expect(removed.list!.cells.map((c) => c.cell)).not.toContain(cell(0));
    expect(
      await count(`SELECT count(*) AS n FROM high_risk_cell_change WHERE idempotency_key = $1`, [`remove-same-${n}`]),
    ).toBe(1);
    await expectStillAnswering();

    const adds = await atOnce(n, (i) => add(`add-each-${n}-${i}`, cell(i + 1)));
    expect(adds.every((a) => !a.replayed)).toBe(true);
    expect(new Set(adds.map((a) => a.list!.version))).toEqual(
      new Set(Array.from({ length: n }, (_, i) => before + 3 + i)),
    );
    const removes = await atOnce(n, (i) => remove(`remove-each-${n}-${i}`, cell(i + 1)));
    expect(removes.every((a) => !a.replayed)).toBe(true);
    expect((await administration.listHighRiskCells()).list).toMatchObject({ version: before + 2 + 2 * n, cells: [] });
    await expectStillAnswering();
  });

  it('SetPortedNumber: identical calls record one port, answered as the first; different ones all record', async () => {
    const port = (key: string, msisdn: string) =>
      administration.setPortedNumber({ idempotencyKey: key, msisdn, carrier: 'CMCC' });
    const first = expectOneFirstAnswer(await atOnce(n, () => port(`port-same-${n}`, ctccNumber(500))));
    expect(first.owner).toEqual({ msisdn: ctccNumber(500), carrier: 'CMCC', ported: true });
    expect(
      await count(`SELECT count(*) AS n FROM ported_number_change WHERE idempotency_key = $1`, [`port-same-${n}`]),
    ).toBe(1);

    const different = await atOnce(n, (i) => port(`port-each-${n}-${i}`, ctccNumber(600 + i)));
    expect(different.every((a) => !a.replayed)).toBe(true);
    expect(
      await count(`SELECT count(*) AS n FROM ported_number_change WHERE idempotency_key LIKE $1`, [`port-each-${n}-%`]),
    ).toBe(n);
    await expectStillAnswering();
  });

  it('SubmitCarrierFeed: same feeds store once (one accepts, others replay); different ones all store', async () => {
    const ctcc = harness.client('carrier:CTCC');
    const items = [
      aDecisionItem(ctccNumber(700), 'ACTION_WARN'),
      aCountItem({ day: '2024-02-07', reason: `CONCURRENT_${n}` }),
    ];
    const answers = await atOnce(n, () => ctcc.submitCarrierFeed({ items }));
    expect(answers.filter((a) => a.accepted === 2 && a.replayed === 0)).toHaveLength(1);
    expect(answers.filter((a) => a.accepted === 0 && a.replayed === 2)).toHaveLength(n - 1);
    expect(
      await count(`SELECT count(*) AS n FROM carrier_decision WHERE decision_id = $1`, [items[0].decision!.decisionId]),
    ).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM feed_item WHERE idempotency_key = ANY($1::varchar[])`, [
        items.map((i) => i.idempotencyKey),
      ]),
    ).toBe(2);

    const feeds = Array.from({ length: n }, (_, i) => [aDecisionItem(ctccNumber(800 + i), 'ACTION_WARN')]);
    const different = await atOnce(n, (i) => ctcc.submitCarrierFeed({ items: feeds[i] }));
    expect(different.every((a) => a.accepted === 1 && a.replayed === 0)).toBe(true);
    expect(
      await count(`SELECT count(*) AS n FROM carrier_decision WHERE decision_id = ANY($1::varchar[])`, [
        feeds.map(([i]) => i.decision!.decisionId),
      ]),
    ).toBe(n);
    await expectStillAnswering();
  });

  it('StreamDirectives: the same ack on many streams at once is recorded once; different ones all are', async () => {
    const acks = async () =>
      sampleOf(await scrapeMetrics(harness.metricsUrl), 'fraud_admin_directive_acks_total', { carrier: 'CBN' });
    /** A CBN number (segment 192). */
    const cbnNumber = (i: number) => `+86192${String(70_000_000 + n * 1000 + i).padStart(8, '0')}`;
    const received = async (stream: DirectiveStream, id: string) => {
      while (!stream.received.some((d) => d.directiveId === id)) await stream.waitFor(stream.received.length + 1);
    };

    const { directive } = await issue(`ack-same-${n}`, cbnNumber(0));
    const id = directive!.directive!.directiveId;
    const before = await acks();
    const streams = Array.from({ length: n }, () => directiveStream(cbn));
    await Promise.all(streams.map((s) => received(s, id)));
    streams.forEach((s) => s.ack(id, 'APPLIED', 'suspended by the carrier', 'ACTION_SUSPEND'));
    await until(async () => (await acks()) > before);
    await expectStillAnswering();
    expect(await acks()).toBe(before + 1);
    const [row] = await harness.sql<{ status: string; ack_detail: string }>(
      `SELECT status, ack_detail FROM directive WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ status: 'APPLIED', ack_detail: 'suspended by the carrier' });
    streams.forEach((s) => s.close());

    const issued = await atOnce(n, (i) => issue(`ack-each-${n}-${i}`, cbnNumber(i + 1)));
    const ids = issued.map((a) => a.directive!.directive!.directiveId);
    const each = Array.from({ length: n }, () => directiveStream(cbn));
    await Promise.all(each.map((s, i) => received(s, ids[i])));
    each.forEach((s, i) => s.ack(ids[i], 'APPLIED', 'reviewed', 'ACTION_WARN'));
    await until(async () => (await acks()) >= before + 1 + n);
    expect(
      await count(`SELECT count(*) AS n FROM directive WHERE id = ANY($1::varchar[]) AND status = 'APPLIED'`, [ids]),
    ).toBe(n);
    each.forEach((s) => s.close());
    await expectStillAnswering();
  });

  it('StreamDirectives: streams a carrier opens at once each get every open directive, counted per send', async () => {
    /** A CUCC number (segment 155). */
    const cuccNumber = (i: number) => `+86155${String(70_000_000 + n * 1000 + i).padStart(8, '0')}`;
    const issued = await atOnce(n, (i) => issue(`open-${n}-${i}`, cuccNumber(i)));
    const ids = issued.map((a) => a.directive!.directive!.directiveId);
    const cucc = harness.client('carrier:CUCC');
    for (let round = 0; round < 3; round++) {
      const streams = Array.from({ length: n }, () => directiveStream(cucc));
      await Promise.all(
        streams.map(async (s) => {
          while (!ids.every((id) => s.received.some((d) => d.directiveId === id)))
            await s.waitFor(s.received.length + 1);
        }),
      );
      streams.forEach((s) => s.close());
    }
    expect(
      await count(`SELECT count(*) AS n FROM directive WHERE id = ANY($1::varchar[]) AND deliveries = $2`, [
        ids,
        3 * n,
      ]),
    ).toBe(n);
    await expectStillAnswering();
  });

  it('POST /api/directives, POST/DELETE /api/cells: identical requests act once, answered as the first', async () => {
    const post = (body: Record<string, unknown>) =>
      harness.http<Record<string, unknown>>('POST', '/api/directives', {
        role: 'admin:sichuan',
        subject: 'officer-li',
        body,
      });
    const directive = {
      msisdn: ctccNumber(900),
      kind: 'REVIEW',
      reason: 'dashboard retry',
      idempotencyKey: `http-issue-${n}`,
    };
    const issued = await atOnce(n, () => post(directive));
    expect(issued.map((a) => a.status).sort()).toEqual([...Array<number>(n - 1).fill(200), 201]);
    expectOneFirstAnswer(issued.map((a) => a.body as { replayed: boolean }));
    expect(
      await count(`SELECT count(*) AS n FROM directive WHERE idempotency_key = $1`, [`issue:http-issue-${n}`]),
    ).toBe(1);
    const each = await atOnce(n, (i) =>
      post({ ...directive, msisdn: ctccNumber(1000 + i), idempotencyKey: `http-issue-${n}-${i}` }),
    );
    expect(each.every((a) => a.status === 201)).toBe(true);

    const cellId = cell(900);
    const body = {
      cell: cellId,
      reason: 'police tip-off',
      source: 'police:chengdu',
      expiresInDays: 7,
      idempotencyKey: `http-add-${n}`,
    };
    const added = await atOnce(n, () =>
      harness.http<{ replayed: boolean }>('POST', '/api/cells', { role: 'analyst', body }),
    );
    expect(added.every((a) => a.status === 201)).toBe(true);
    expectOneFirstAnswer(added.map((a) => a.body));
    const removed = await atOnce(n, () =>
      harness.http<{ replayed: boolean }>(
        'DELETE',
        `/api/cells/${cellId}?reason=done&idempotencyKey=http-remove-${n}`,
        { role: 'analyst' },
      ),
    );
    expect(removed.every((a) => a.status === 200)).toBe(true);
    expectOneFirstAnswer(removed.map((a) => a.body));
    expect(
      await count(`SELECT count(*) AS n FROM high_risk_cell_change WHERE idempotency_key = ANY($1::varchar[])`, [
        [`http-add-${n}`, `http-remove-${n}`],
      ]),
    ).toBe(2);
    await expectStillAnswering();
  });
});
