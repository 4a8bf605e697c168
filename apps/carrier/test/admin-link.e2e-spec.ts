import type { CarrierEvent, Msisdn } from '@app/domain';
import { MINUTE, Scenario } from '../../../libs/domain/src/carrier/fixtures';
import { AdminRelay } from '../src/admin-link/admin-relay.service';
import { DailyCounts } from '../src/admin-link/daily-counts.service';
import { AnalysisService } from '../src/analysis/analysis.service';
import { carrierIdOf, ingest as ingestBatches, toWire, type CarrierHarness } from './carrier-harness';
import { eventually, query, startProvince, type Province } from './linked-services';

/** Carrier A owns the harassing number (segment 191); carrier B's subscribers (138) receive its calls. */
const HARASSER = '+8619100009999';
const VICTIMS = 40;

/**
 * `harasser` rings 40 of B's subscribers once each (one-ring calls, 40 s apart,
 * 26 minutes in all), from `minutesAgo` on: B sees a foreign number harassing
 * its subscribers. Event times are recent, as the administration correlates the
 * last 30 days; each harassment starts after the one before it ended, as the
 * carrier refuses events older than its lateness allows.
 */
function harassment(harasser: string, minutesAgo: number): CarrierEvent[] {
  const s = new Scenario(minutesAgo);
  const start = Date.now() - minutesAgo * MINUTE;
  const victims = Array.from({ length: VICTIMS }, (_, i) =>
    s.subscriber(
      `1380000${String(i * 37).padStart(4, '0')}`,
      Date.parse('2015-01-01T00:00:00+08:00'),
      undefined,
      'CMCC',
    ),
  );
  victims.forEach((victim, i) => s.call(start + i * 40_000, s.n(harasser.slice(3)), victim, false, 1));
  return s.sorted();
}

const subscriber = (msisdn: string): CarrierEvent[] => {
  const s = new Scenario(1);
  s.subscriber(msisdn.slice(3), Date.parse('2020-06-01T00:00:00+08:00'));
  return s.sorted();
};

describe('carrier ↔ administration: feed, directives and acknowledgements, with the registry and two carriers', () => {
  let province: Province;
  let ctcc: CarrierHarness;
  let cmcc: CarrierHarness;

  beforeAll(async () => {
    // One reporting carrier makes a SUSPEND directive (the province's default asks for two, and REVIEWs on one).
    province = await startProvince(['CTCC', 'CMCC'], { admin: { ADMIN_SUSPEND_AFTER_CARRIERS: '1' } });
    ({ CTCC: ctcc, CMCC: cmcc } = province.carriers);
  });
  afterAll(() => province.close());

  const admin = () => province.admin.client('admin:sichuan', 'analyst-on-duty');
  const directivesOn = async (msisdn: string) => (await admin().listDirectives({ msisdn })).directives;
  const adminSql = <T>(sql: string, params: unknown[] = []) => province.admin.sql<T>(sql, params);
  const decisionsOf = (carrier: CarrierHarness, msisdn: string) =>
    query<{ action: string; reasons: string[] }>(
      carrier.db.url,
      `SELECT action, reasons FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at, recorded_at`,
      [msisdn],
    );
  const ingest = async (carrier: CarrierHarness, events: CarrierEvent[]) =>
    expect(await ingestBatches(carrier.client(), toWire(events))).toMatchObject({ rejected: 0, late: 0 });
  const adminBacklog = (carrier: CarrierHarness) =>
    carrier.app
      .get(AdminRelay)
      .backlog()
      .then((b) => b.ADMIN);

  it('B reports A’s number, the admin directs A, A suspends and acknowledges; the case shows it all', async () => {
    const started = Date.now();
    await ingest(ctcc, subscriber(HARASSER));
    // The calls reach B's network only: A takes no decision of its own.
    await ingest(cmcc, harassment(HARASSER, 90));
    expect(await decisionsOf(cmcc, HARASSER)).toEqual([{ action: 'REPORT', reasons: ['FOREIGN_HARASSMENT'] }]);
    // (B's report may already have come back to A as a directive: only a decision on A's own evidence is wrong.)
    expect((await decisionsOf(ctcc, HARASSER)).filter((d) => !d.reasons.includes('DIRECTIVE'))).toEqual([]);

    // B's outbox delivers the report; the administration directs the owner, A, which applies the directive and says so.
    const [directive] = await eventually(
      () => directivesOn(HARASSER),
      (ds) => ds[0]?.status === 'DIRECTIVE_STATUS_APPLIED',
    );
    expect(directive).toMatchObject({
      carrier: 'CTCC',
      status: 'DIRECTIVE_STATUS_APPLIED',
      issuedBy: 'admin-policy',
      deliveries: 1,
      ackDetail: 'suspended (was NONE)',
      directive: { kind: 'DIRECTIVE_KIND_SUSPEND', msisdn: HARASSER, reason: 'inter-network reports: CMCC 1' },
    });
    const [ack] = await adminSql<{ ack_state: string }>(`SELECT ack_state FROM directive WHERE id = $1`, [
      directive.directive!.directiveId,
    ]);
    expect(ack.ack_state).toBe('SUSPEND');

    // A's suspension is its own decision, stored with its notice, flagged to the registry
    // and fed back to the administration.
    expect(await decisionsOf(ctcc, HARASSER)).toEqual([{ action: 'SUSPEND', reasons: ['DIRECTIVE'] }]);
    expect(ctcc.app.get(AnalysisService).state.levelOf(HARASSER as Msisdn, Date.now())).toBe('SUSPEND');
    const { results } = await eventually(
      () => province.registry.client('police', 'officer-1').checkNumbers({ msisdns: [HARASSER] }),
      (r) => r.results[0]?.status === 'NUMBER_STATUS_SUSPECTED',
    );
    expect(results[0].status).toBe('NUMBER_STATUS_SUSPECTED');

    // The case follows the number from B's report to A's suspension.
    const lookup = await eventually(
      () => admin().lookupNumber({ msisdn: HARASSER, purpose: 'acceptance: inter-network case' }),
      (l) =>
        l.decisions.length === 2 &&
        l.case !== undefined &&
        l.case.events.some((e) => e.what.startsWith('SUSPEND by CTCC')),
    );
    expect(lookup.owner).toMatchObject({ carrier: 'CTCC', ported: false });
    expect(lookup.decisions.map((d) => [d.carrier, d.decision?.action, d.decision?.reasons])).toEqual([
      ['CTCC', 'ACTION_SUSPEND', ['DIRECTIVE']],
      ['CMCC', 'ACTION_REPORT', ['FOREIGN_HARASSMENT']],
    ]);
    expect(lookup.case).toMatchObject({ msisdn: HARASSER, owner: 'CTCC', status: 'CASE_STATUS_OPEN' });
    const story = lookup.case!.events.map((e) => `${e.actor} | ${e.what}`);
    const path = [
      /^carrier:CMCC \| REPORT by CMCC: FOREIGN_HARASSMENT/,
      /^admin-policy \| SUSPEND directive \S+ issued to CTCC: inter-network reports: CMCC 1/,
      /^carrier:CTCC \| SUSPEND by CTCC: DIRECTIVE/,
      /^carrier:CTCC \| CTCC applied SUSPEND directive \S+: suspended \(was NONE\)/,
    ];
    // Each step once, in this order (the delivery among them).
    expect({ story, steps: story.map((line) => path.findIndex((p) => p.test(line))).filter((i) => i >= 0) }).toEqual({
      story,
      steps: [0, 1, 2, 3],
    });
    const { cases } = await admin().listCases();
    expect(cases.filter((c) => c.msisdn === HARASSER).map((c) => c.caseId)).toEqual([lookup.case!.caseId]);
    // The directive names the case it belongs to (the case opened after the directive).
    const again = await admin().lookupNumber({ msisdn: HARASSER, purpose: 'acceptance: the directive names its case' });
    expect(again.directives.map((d) => d.directive?.caseId)).toEqual([lookup.case!.caseId]);

    // Every decision of both carriers reached the administration once; nothing is left or set aside.
    for (const carrier of [cmcc, ctcc]) {
      await eventually(
        () => adminBacklog(carrier),
        (b) => b.pending === 0,
      );
      expect(await adminBacklog(carrier)).toMatchObject({ pending: 0, failed: 0 });
      const [{ n }] = await query<{ n: string }>(carrier.db.url, `SELECT count(*) AS n FROM decision WHERE NOT shadow`);
      const stored = await adminSql<{ n: string }>(`SELECT count(*) AS n FROM carrier_decision WHERE carrier = $1`, [
        carrierIdOf(carrier),
      ]);
      expect(stored[0].n).toBe(n);
    }
    console.log(
      `report → directive → suspension → acknowledgement → case in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });

  it('pushes a high-risk cell added at the administration to both carriers, which acknowledge the list', async () => {
    const cell = '460-00-23456-1';
    const { list } = await admin().addHighRiskCell({
      idempotencyKey: 'cell-1',
      cell,
      reason: 'fraud den (police report 17)',
      source: 'police:chengdu',
      expiresInDays: 30,
    });
    for (const carrier of [ctcc, cmcc]) {
      await eventually(
        async () => carrier.app.get(AnalysisService).state.isHighRiskCell(cell, Date.now()),
        (known) => known,
      );
    }
    const acked = await eventually(
      () =>
        adminSql<{ carrier: string; status: string; ack_detail: string }>(
          `SELECT carrier, status, ack_detail FROM directive
           WHERE kind = 'HIGH_RISK_CELLS' AND carrier IN ('CMCC', 'CTCC') ORDER BY carrier`,
        ),
      (rows) => rows.length === 2 && rows.every((r) => r.status === 'APPLIED'),
    );
    expect(acked).toEqual(
      ['CMCC', 'CTCC'].map((carrier) => ({
        carrier,
        status: 'APPLIED',
        ack_detail: `list version ${list!.version}, 1 cell`,
      })),
    );
  });

  it('admin down: the list survives a carrier restart, decisions wait in the outbox until it is back', async () => {
    const cell = '460-00-23456-1';
    await province.admin.stop();
    await ctcc.stop();
    await ctcc.boot();
    // Loaded from A's own database at start-up: the administration is not there to send it.
    expect(ctcc.app.get(AnalysisService).state.isHighRiskCell(cell, Date.now())).toBe(true);

    // B reports another number of A's segment (not A's subscriber): the report waits, retried.
    const stranger = '+8619100007777';
    await ingest(cmcc, harassment(stranger, 60));
    await eventually(
      () =>
        query<{ attempts: number; last_error: string }>(
          cmcc.db.url,
          `SELECT attempts, last_error FROM outbox WHERE destination = 'ADMIN' AND msisdn = $1`,
          [stranger],
        ),
      (rows) => rows.length === 1 && rows[0].attempts > 1 && /^UNAVAILABLE/.test(rows[0].last_error),
    );

    await province.admin.boot();
    await eventually(
      () => adminBacklog(cmcc),
      (b) => b.pending === 0,
    );
    // A answers for what is not its own: the directive is rejected with the reason.
    const [rejected] = await eventually(
      () => directivesOn(stranger),
      (ds) => ds[0]?.status === 'DIRECTIVE_STATUS_REJECTED',
    );
    expect(rejected).toMatchObject({
      carrier: 'CTCC',
      ackDetail: `${stranger} is not a subscriber of CTCC`,
      directive: { kind: 'DIRECTIVE_KIND_SUSPEND' },
    });
    expect(await decisionsOf(ctcc, stranger)).toEqual([]);
  });

  it('a carrier back up gets the directive issued meanwhile, applies it once; its log answers a resend', async () => {
    const client = '+8613800001234';
    await ingest(cmcc, subscriber(client));
    await cmcc.stop();
    const { directive: issued } = await admin().issueDirective({
      idempotencyKey: 'restart-1',
      msisdn: client,
      kind: 'DIRECTIVE_KIND_SUSPEND' as never,
      reason: 'police request 2024-117',
    });
    const id = issued!.directive!.directiveId;
    expect(issued!.status).toBe('DIRECTIVE_STATUS_PENDING');

    await cmcc.boot();
    await eventually(
      () => directivesOn(client),
      (ds) => ds[0]?.status === 'DIRECTIVE_STATUS_APPLIED',
    );
    expect(await decisionsOf(cmcc, client)).toEqual([{ action: 'SUSPEND', reasons: ['DIRECTIVE'] }]);

    // As if the acknowledgement had been lost: the administration sends it again on B's next stream.
    await adminSql(
      `UPDATE directive SET status = 'DELIVERED', acknowledged_at = NULL, ack_detail = NULL, ack_state = NULL
       WHERE id = $1`,
      [id],
    );
    await cmcc.stop();
    await cmcc.boot();
    const [again] = await eventually(
      () => directivesOn(client),
      (ds) => ds[0]?.status === 'DIRECTIVE_STATUS_APPLIED',
    );
    expect(again).toMatchObject({ deliveries: 2, ackDetail: 'suspended (was NONE)' });
    expect(await decisionsOf(cmcc, client)).toEqual([{ action: 'SUSPEND', reasons: ['DIRECTIVE'] }]);
    expect(
      await query(
        cmcc.db.url,
        `SELECT directive_id, kind, msisdn, outcome, state FROM directive_log WHERE msisdn = $1`,
        [client],
      ),
    ).toEqual([{ directive_id: id, kind: 'SUSPEND', msisdn: client, outcome: 'APPLIED', state: 'SUSPEND' }]);
  });

  it('sends daily counts the admin replaces at each recount; a recount with nothing new sends nothing', async () => {
    const perDay = (carrier: CarrierHarness) =>
      query<{ day: string; policy: string; action: string; reason: string; count: string }>(
        carrier.db.url,
        `SELECT to_char((at AT TIME ZONE INTERVAL '+08:00')::date, 'YYYY-MM-DD') AS day,
           policy, action, r.reason, count(*) AS count
         FROM decision CROSS JOIN LATERAL unnest(reasons) AS r(reason) WHERE NOT shadow
         GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      );
    const atAdmin = () =>
      adminSql<{ day: string; policy: string; action: string; reason: string; count: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, policy, action, reason, count FROM daily_count
         WHERE carrier = 'CMCC' ORDER BY 1, 2, 3, 4`,
      );
    const counts = cmcc.app.get(DailyCounts);

    expect((await counts.countNow()).queued).toBeGreaterThan(0);
    const expected = await perDay(cmcc);
    expect(await eventually(atAdmin, (rows) => rows.length === expected.length)).toEqual(expected);
    expect(await counts.countNow()).toMatchObject({ queued: 0 });

    // More decisions on the same day: the recount replaces the administration's figures.
    const before = await atAdmin();
    await ingest(cmcc, harassment('+8619100006666', 30));
    expect((await counts.countNow()).queued).toBeGreaterThan(0);
    const after = await eventually(atAdmin, (rows) => JSON.stringify(rows) !== JSON.stringify(before));
    expect(after).toEqual(await perDay(cmcc));
    expect(after.filter((r) => r.action === 'REPORT').reduce((sum, r) => sum + Number(r.count), 0)).toBe(3);
  });
});
