import { status } from '@grpc/grpc-js';
import { toTimestamp, type admin } from '@app/contracts';
import { grpcError } from '@app/testing';
import { aCalleeWarningsItem, aCountItem, aDecisionItem, AdminHarness } from './admin-harness';

/** A Timestamp for a China Standard Time wall-clock time. */
const cst = (local: string) => {
  const ms = Date.parse(`${local}+08:00`);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
};
const reporters = (n: number): admin.CarrierDecision['evidence'] => ({
  summary: '',
  windowStart: undefined,
  windowEnd: undefined,
  measures: [{ name: 'corroborated_reporters', value: n, threshold: 2 }],
  cells: [],
});
const plain: admin.CarrierDecision['evidence'] = {
  summary: '',
  windowStart: undefined,
  windowEnd: undefined,
  measures: [],
  cells: [],
};
const decision = (
  msisdn: string,
  action: string,
  reasons: string[],
  at: string,
  policy: string,
  evidence: admin.CarrierDecision['evidence'] = plain,
) => aDecisionItem(msisdn, `ACTION_${action}`, { reasons, at: cst(at), policy, evidence });

/**
 * The fixture, China Standard Time (CST), range 2024-02-05 .. 2024-02-07:
 *
 * CTCC, policy default@3
 *   D1  +8619100000001  SUSPEND   CORROBORATED_REPORTS, CALL_BURST  02-05 10:00  (corroborated_reporters 4)
 *   D2  +8619100000001  RESTORE   POLICE_CLEARED                    02-06 16:00  -> D1 restored after 30 h: mistaken
 *   D3  +8619100000002  SUSPEND   CALL_BURST                        02-05 23:30  (still 02-05 in CST)
 *   D4  +8619100000002  RESTORE   ID_VERIFIED                       02-06 01:30  -> D3 restored after 2 h: not mistaken
 *   D5  +8619100000003  SUSPEND   CORROBORATED_REPORTS              02-07 00:30  never restored (02-06 16:30 UTC;
 *                                                                                corroborated_reporters 2)
 *   D6  +8619100000004  WARN      CALL_BURST                        02-06 09:00
 *   D7  +8619100000004  RESTRICT  CALL_BURST, SHORT_CALLS           02-06 12:00
 *   D8  +8619100000009  WARN      CALL_BURST                        02-04 23:59  outside the range
 *   D9  +8619100000005  SUSPEND   CALL_BURST                        02-06 08:00
 *   D10 +8619100000005  RESTORE   APPEAL_UPHELD                     03-08 08:00  -> D9 restored after 31 days = 744 h:
 *                                                                                too late to count as mistaken
 *   daily counts: 02-06 WARN CALL_BURST 40 (replaces D6's 1); 02-07 RESTRICT ONE_RING_CALLS 6;
 *                 02-06 MONITOR CALL_BURST 100 (not a counted action); 02-08 WARN CALL_BURST 9 (outside)
 *   callee warnings: 02-06 default@3 5, then 12 (the later count replaces it); 02-08 default@3 4 (outside)
 * CMCC, policy cmcc@1
 *   M1  +8613800000001  SUSPEND   CORROBORATED_REPORTS              02-06 10:00  (no measure: counts 1 reporter)
 *   M2  +8613800000001  RESTORE   REGISTRY_CLEARED                  02-06 20:00  -> M1 restored after 10 h: mistaken
 *   M3  +8619100000001  REPORT    FOREIGN_HARASSMENT                02-05 12:00
 *   M5  +8619100000003  REPORT    FOREIGN_HARASSMENT, CORROBORATED_REPORTS  02-06 09:00  (corroborated_reporters 3)
 * CUCC, policy cucc@2
 *   U1  +8619100000004  REPORT    FOREIGN_HARASSMENT                02-07 10:00
 *
 * Demoted rules (error budget per rule):
 *   CTCC default@3 NEW_SEGMENT              demoted 02-06 11:00 (3 of 40), never re-enabled        in the range
 *   CTCC default@3 HIGH_RISK_CELL_ACTIVITY  demoted 02-01 09:00, re-enabled 02-05 12:00 (sent apart)  in the range
 *   CTCC default@3 CALL_BURST               demoted 01-10, re-enabled 01-20                       before the range
 *   CMCC cmcc@1    ONE_RING_CALLS           demoted 02-08 10:00                                   after the range
 */
async function submitFixture(harness: AdminHarness): Promise<void> {
  await harness.client('carrier:CTCC').submitCarrierFeed({
    items: [
      decision(
        '+8619100000001',
        'SUSPEND',
        ['CORROBORATED_REPORTS', 'CALL_BURST'],
        '2024-02-05T10:00:00',
        'default@3',
        reporters(4),
      ),
      decision('+8619100000001', 'RESTORE', ['POLICE_CLEARED'], '2024-02-06T16:00:00', 'default@3'),
      decision('+8619100000002', 'SUSPEND', ['CALL_BURST'], '2024-02-05T23:30:00', 'default@3'),
      decision('+8619100000002', 'RESTORE', ['ID_VERIFIED'], '2024-02-06T01:30:00', 'default@3'),
      decision('+8619100000003', 'SUSPEND', ['CORROBORATED_REPORTS'], '2024-02-07T00:30:00', 'default@3', reporters(2)),
      decision('+8619100000004', 'WARN', ['CALL_BURST'], '2024-02-06T09:00:00', 'default@3'),
      decision('+8619100000004', 'RESTRICT', ['CALL_BURST', 'SHORT_CALLS'], '2024-02-06T12:00:00', 'default@3'),
      decision('+8619100000009', 'WARN', ['CALL_BURST'], '2024-02-04T23:59:00', 'default@3'),
      decision('+8619100000005', 'SUSPEND', ['CALL_BURST'], '2024-02-06T08:00:00', 'default@3'),
      decision('+8619100000005', 'RESTORE', ['APPEAL_UPHELD'], '2024-03-08T08:00:00', 'default@3'),
      aCountItem({
        day: '2024-02-06',
        policy: 'default@3',
        action: 'ACTION_WARN' as admin.DailyCount['action'],
        reason: 'CALL_BURST',
        count: 40,
      }),
      aCountItem({
        day: '2024-02-07',
        policy: 'default@3',
        action: 'ACTION_RESTRICT' as admin.DailyCount['action'],
        reason: 'ONE_RING_CALLS',
        count: 6,
      }),
      aCountItem({
        day: '2024-02-06',
        policy: 'default@3',
        action: 'ACTION_MONITOR' as admin.DailyCount['action'],
        reason: 'CALL_BURST',
        count: 100,
      }),
      aCountItem({
        day: '2024-02-08',
        policy: 'default@3',
        action: 'ACTION_WARN' as admin.DailyCount['action'],
        reason: 'CALL_BURST',
        count: 9,
      }),
      aCalleeWarningsItem({ day: '2024-02-06', policy: 'default@3', count: 5 }),
      aCalleeWarningsItem({ day: '2024-02-06', policy: 'default@3', count: 12 }),
      aCalleeWarningsItem({ day: '2024-02-08', policy: 'default@3', count: 4 }),
    ],
  });
  await harness.client('carrier:CMCC').submitCarrierFeed({
    items: [
      decision('+8613800000001', 'SUSPEND', ['CORROBORATED_REPORTS'], '2024-02-06T10:00:00', 'cmcc@1'),
      decision('+8613800000001', 'RESTORE', ['REGISTRY_CLEARED'], '2024-02-06T20:00:00', 'cmcc@1'),
      decision('+8619100000001', 'REPORT', ['FOREIGN_HARASSMENT'], '2024-02-05T12:00:00', 'cmcc@1'),
      decision(
        '+8619100000003',
        'REPORT',
        ['FOREIGN_HARASSMENT', 'CORROBORATED_REPORTS'],
        '2024-02-06T09:00:00',
        'cmcc@1',
        reporters(3),
      ),
    ],
  });
  await harness.client('carrier:CUCC').submitCarrierFeed({
    items: [decision('+8619100000004', 'REPORT', ['FOREIGN_HARASSMENT'], '2024-02-07T10:00:00', 'cucc@2')],
  });
  await harness.client('carrier:CTCC').submitCarrierFeed({
    items: [
      demotion('NEW_SEGMENT', '2024-02-06T11:00:00', { mistakes: 3, actions: 40 }),
      demotion('HIGH_RISK_CELL_ACTIVITY', '2024-02-01T09:00:00'),
      demotion('CALL_BURST', '2024-01-10T09:00:00', {
        reenabledAt: cst('2024-01-20T09:00:00'),
        reenabledBy: 'ops-li',
        why: 'threshold raised',
      }),
    ],
  });
  // The re-enable comes later, as its own item: it fills in the demotion's row.
  await harness.client('carrier:CTCC').submitCarrierFeed({
    items: [
      demotion('HIGH_RISK_CELL_ACTIVITY', '2024-02-01T09:00:00', {
        reenabledAt: cst('2024-02-05T12:00:00'),
        reenabledBy: 'ops-li',
        why: 'guides at the scenic spot',
      }),
    ],
  });
  await harness.client('carrier:CMCC').submitCarrierFeed({
    items: [demotion('ONE_RING_CALLS', '2024-02-08T10:00:00', { policy: 'cmcc@1' })],
  });
}

/** A demotion (or, with reenabledAt, its re-enable) as a carrier sends it, keyed as the carrier keys it. */
function demotion(reason: string, at: string, over: Partial<admin.RuleDemotion> = {}): admin.FeedItem {
  const ruleDemotion: admin.RuleDemotion = {
    policy: 'default@3',
    reason,
    demotedAt: cst(at),
    mistakes: 4,
    actions: 50,
    windowDays: 30,
    reenabledAt: undefined,
    reenabledBy: '',
    why: '',
    ...over,
  };
  const kind = ruleDemotion.reenabledAt ? 'reenable' : 'demotion';
  return { idempotencyKey: `${kind}-${ruleDemotion.policy}-${reason}-${at}`, ruleDemotion };
}

/** The carriers' own callee warning counts in the range: CTCC's later count for 02-06. */
const EXPECTED_CALLEE_WARNINGS = [{ day: '2024-02-06', carrier: 'CTCC', policy: 'default@3', count: 12 }];

const row = (
  day: string,
  carrier: string,
  policy: string,
  reason: string,
  [warnings, restrictions, suspensions, restorations]: number[],
) => ({
  day,
  carrier,
  policy,
  reason,
  warnings,
  restrictions,
  suspensions,
  restorations,
});

/**
 * Per day, carrier, policy and reason; a decision counts under each of its reasons;
 * reported counts replace counted ones.
 */
const EXPECTED_ROWS = [
  row('2024-02-05', 'CTCC', 'default@3', 'CALL_BURST', [0, 0, 2, 0]), // D1, D3
  row('2024-02-05', 'CTCC', 'default@3', 'CORROBORATED_REPORTS', [0, 0, 1, 0]), // D1
  row('2024-02-06', 'CMCC', 'cmcc@1', 'CORROBORATED_REPORTS', [0, 0, 1, 0]), // M1
  row('2024-02-06', 'CMCC', 'cmcc@1', 'REGISTRY_CLEARED', [0, 0, 0, 1]), // M2
  row('2024-02-06', 'CTCC', 'default@3', 'CALL_BURST', [40, 1, 1, 0]), // reported 40 (not D6's 1), D7, D9
  row('2024-02-06', 'CTCC', 'default@3', 'ID_VERIFIED', [0, 0, 0, 1]), // D4
  row('2024-02-06', 'CTCC', 'default@3', 'POLICE_CLEARED', [0, 0, 0, 1]), // D2
  row('2024-02-06', 'CTCC', 'default@3', 'SHORT_CALLS', [0, 1, 0, 0]), // D7
  row('2024-02-07', 'CTCC', 'default@3', 'CORROBORATED_REPORTS', [0, 0, 1, 0]), // D5
  row('2024-02-07', 'CTCC', 'default@3', 'ONE_RING_CALLS', [0, 6, 0, 0]), // reported only
];

/**
 * Suspensions in the range: CTCC D1 (30 h, mistaken), D3 (2 h), D5 (not restored), D9 (744 h, too late);
 * CMCC M1 (10 h, mistaken). Nearest-rank percentiles of CTCC's [2, 30, 744]: p50 = 2nd = 30, p90 = 3rd = 744.
 */
const EXPECTED_QUALITY = [
  {
    carrier: 'CMCC',
    suspensions: 1,
    mistaken: 1,
    mistakenKillRate: 1,
    restored: 1,
    restoreHoursP50: 10,
    restoreHoursP90: 10,
    byReason: [
      {
        reason: 'CORROBORATED_REPORTS',
        suspensions: 1,
        mistaken: 1,
        mistakenKillRate: 1,
        restored: 1,
        restoreHoursP50: 10,
        restoreHoursP90: 10,
      },
    ],
  },
  {
    carrier: 'CTCC',
    suspensions: 4,
    mistaken: 1,
    mistakenKillRate: 0.25,
    restored: 3,
    restoreHoursP50: 30,
    restoreHoursP90: 744,
    byReason: [
      // D1, D3, D9: hours [30, 2, 744]
      {
        reason: 'CALL_BURST',
        suspensions: 3,
        mistaken: 1,
        mistakenKillRate: 1 / 3,
        restored: 3,
        restoreHoursP50: 30,
        restoreHoursP90: 744,
      },
      // D1, D5: hours [30]
      {
        reason: 'CORROBORATED_REPORTS',
        suspensions: 2,
        mistaken: 1,
        mistakenKillRate: 0.5,
        restored: 1,
        restoreHoursP50: 30,
        restoreHoursP90: 30,
      },
    ],
  },
];

/**
 * Per carrier the highest reporter count, summed:
 * ...03 = CTCC 2 + CMCC 3; ...01 = CTCC 4; 138...01 = CMCC 1 (no measure).
 */
const EXPECTED_TOP_REPORTED = [
  { msisdn: '+8619100000003', count: 5, carriers: ['CMCC', 'CTCC'] },
  { msisdn: '+8619100000001', count: 4, carriers: ['CTCC'] },
  { msisdn: '+8613800000001', count: 1, carriers: ['CMCC'] },
];

/**
 * RESTRICT, SUSPEND or REPORT by two carriers:
 * ...01 (D1, M3), ...03 (D5, M5), ...04 (D7, U1; D6's WARN is no flag).
 */
const EXPECTED_MULTI_CARRIER = [
  { msisdn: '+8619100000001', count: 2, carriers: ['CMCC', 'CTCC'] },
  { msisdn: '+8619100000003', count: 2, carriers: ['CMCC', 'CTCC'] },
  { msisdn: '+8619100000004', count: 2, carriers: ['CTCC', 'CUCC'] },
];

/** Demoted at some time in the range: CTCC's NEW_SEGMENT (in force) and HIGH_RISK_CELL_ACTIVITY (re-enabled in it). */
const EXPECTED_DEMOTED_RULES = [
  {
    carrier: 'CTCC',
    inForce: 1,
    rules: [
      {
        policy: 'default@3',
        reason: 'HIGH_RISK_CELL_ACTIVITY',
        demotedAt: '2024-02-01T01:00:00.000Z',
        mistakes: 4,
        actions: 50,
        windowDays: 30,
        reenabledAt: '2024-02-05T04:00:00.000Z',
        reenabledBy: 'ops-li',
        why: 'guides at the scenic spot',
      },
      {
        policy: 'default@3',
        reason: 'NEW_SEGMENT',
        demotedAt: '2024-02-06T03:00:00.000Z',
        mistakes: 3,
        actions: 40,
        windowDays: 30,
        reenabledAt: null,
        reenabledBy: null,
        why: null,
      },
    ],
  },
];

const RANGE = 'from=2024-02-05&to=2024-02-07';

describe('Oversight figures match a fixture computed by hand (e2e)', () => {
  let harness: AdminHarness;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    await submitFixture(harness);
  });
  afterAll(() => harness.close());

  it('GET /api/oversight: the per-reason table, the quality per carrier and reason, the top lists', async () => {
    const { status: code, body } = await harness.get(`/api/oversight?${RANGE}`, 'analyst');
    expect(code).toBe(200);
    expect(body).toEqual({
      from: '2024-02-05',
      to: '2024-02-07',
      rows: EXPECTED_ROWS,
      quality: EXPECTED_QUALITY,
      demotedRules: EXPECTED_DEMOTED_RULES,
      topReported: EXPECTED_TOP_REPORTED,
      multiCarrier: EXPECTED_MULTI_CARRIER,
      calleeWarnings: EXPECTED_CALLEE_WARNINGS,
    });
  });

  it('has a line of demoted rules per carrier: a carrier sees its own; the CSV has one line per demotion', async () => {
    const own = await harness.get<{ demotedRules: unknown[] }>(`/api/oversight?${RANGE}`, 'carrier:CMCC');
    expect(own.body.demotedRules).toEqual([]);
    const later = await harness.get<{ demotedRules: unknown[] }>(
      '/api/oversight?from=2024-02-08&to=2024-02-08',
      'carrier:CMCC',
    );
    expect(later.body.demotedRules).toEqual([
      expect.objectContaining({ carrier: 'CMCC', inForce: 1, rules: [expect.objectContaining({ mistakes: 4 })] }),
    ]);
    const { headers, body } = await harness.get<string>(`/api/demoted-rules.csv?${RANGE}`, 'analyst');
    expect(headers.get('content-disposition')).toBe('attachment; filename="demoted-rules-2024-02-05-2024-02-07.csv"');
    expect(body).toBe(
      [
        'carrier,policy,reason,demoted_at,mistakes,actions,window_days,reenabled_at,reenabled_by,why',
        'CTCC,default@3,HIGH_RISK_CELL_ACTIVITY,2024-02-01T01:00:00.000Z,4,50,30,2024-02-05T04:00:00.000Z,ops-li,' +
          'guides at the scenic spot',
        'CTCC,default@3,NEW_SEGMENT,2024-02-06T03:00:00.000Z,3,40,30,,,',
        '',
      ].join('\r\n'),
    );
  });

  it('refuses a demotion without its time or with a re-enable that says not who, naming the field', async () => {
    const bad = demotion('SMS_BURST', '2024-02-06T11:00:00', { reenabledAt: cst('2024-02-07T11:00:00') });
    await expect(harness.client('carrier:CTCC').submitCarrierFeed({ items: [bad] })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'items[0].rule_demotion.reenabled_by'),
    );
    const untimed = demotion('SMS_BURST', '2024-02-06T11:00:00', { demotedAt: undefined });
    await expect(harness.client('carrier:CTCC').submitCarrierFeed({ items: [untimed] })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'items[0].rule_demotion.demoted_at'),
    );
  });

  it('GetOversight over gRPC: the same figures, carrier totals only', async () => {
    const answer = await harness.client('admin:sichuan').getOversight({ fromDay: '2024-02-05', toDay: '2024-02-07' });
    expect(answer.rows).toEqual(EXPECTED_ROWS);
    // The proto has no restored count: the dashboard's JSON adds it for its "no data" state.
    expect(answer.quality).toEqual(
      EXPECTED_QUALITY.map(({ byReason: _byReason, restored: _restored, ...totals }) => totals),
    );
    expect(answer.topReported).toEqual(EXPECTED_TOP_REPORTED);
    expect(answer.multiCarrier).toEqual(EXPECTED_MULTI_CARRIER);
    expect(answer.calleeWarnings).toEqual(EXPECTED_CALLEE_WARNINGS);
    // The demoted rules as the feed carries them: times as timestamps, an absent re-enable's fields empty.
    const wire = (iso: string | null) => (iso === null ? null : toTimestamp(new Date(iso)));
    expect(answer.demotedRules).toEqual(
      EXPECTED_DEMOTED_RULES.map(({ rules, ...carrier }) => ({
        ...carrier,
        rules: rules.map((r) => ({
          ...r,
          demotedAt: wire(r.demotedAt),
          reenabledAt: wire(r.reenabledAt),
          reenabledBy: r.reenabledBy ?? '',
          why: r.why ?? '',
        })),
      })),
    );
  });

  it('GET /api/oversight/series: each decision once per day and carrier, the day’s mistaken share', async () => {
    const { body } = await harness.get(`/api/oversight/series?${RANGE}`, 'analyst');
    expect(body).toEqual({
      days: ['2024-02-05', '2024-02-06', '2024-02-07'],
      carriers: {
        // 02-05: D1, D3; 02-06: D6 (the decision, not the reported 40), D7, D9, restores D2 and D4; 02-07: D5
        CTCC: {
          flags: [2, 2, 1],
          warnings: [0, 1, 0],
          restrictions: [0, 1, 0],
          suspensions: [2, 1, 1],
          restorations: [0, 2, 0],
          mistakenKillRate: [0.5, 0, 0],
          calleeWarnings: [0, 12, 0],
        },
        // 02-05: M3; 02-06: M1, M2, M5
        CMCC: {
          flags: [1, 2, 0],
          warnings: [0, 0, 0],
          restrictions: [0, 0, 0],
          suspensions: [0, 1, 0],
          restorations: [0, 1, 0],
          mistakenKillRate: [null, 1, null],
          calleeWarnings: [0, 0, 0],
        },
        CUCC: {
          flags: [0, 0, 1],
          warnings: [0, 0, 0],
          restrictions: [0, 0, 0],
          suspensions: [0, 0, 0],
          restorations: [0, 0, 0],
          mistakenKillRate: [null, null, null],
          calleeWarnings: [0, 0, 0],
        },
        CBN: {
          flags: [0, 0, 0],
          warnings: [0, 0, 0],
          restrictions: [0, 0, 0],
          suspensions: [0, 0, 0],
          restorations: [0, 0, 0],
          mistakenKillRate: [null, null, null],
          calleeWarnings: [0, 0, 0],
        },
      },
    });
  });

  it('narrows to one carrier: its own decisions only', async () => {
    const { body } = await harness.get<{
      rows: { carrier: string }[];
      topReported: unknown[];
      multiCarrier: unknown[];
    }>(`/api/oversight?${RANGE}&carrier=CMCC`, 'analyst');
    expect(body.rows).toEqual(EXPECTED_ROWS.filter((r) => r.carrier === 'CMCC'));
    expect(body.topReported).toEqual([
      { msisdn: '+8619100000003', count: 3, carriers: ['CMCC'] },
      { msisdn: '+8613800000001', count: 1, carriers: ['CMCC'] },
    ]);
    // Still the numbers CMCC flagged that another carrier flagged too (an analyst may see that).
    expect(body.multiCarrier).toEqual(EXPECTED_MULTI_CARRIER.filter((n) => n.carriers.includes('CMCC')));
  });

  it('lets a carrier read its own figures but not numbers others flagged; refuses it another carrier’s', async () => {
    const own = await harness.get<{ quality: { carrier: string }[]; multiCarrier: unknown[] }>(
      `/api/oversight?${RANGE}`,
      'carrier:CMCC',
    );
    expect(own.status).toBe(200);
    expect(own.body.quality).toEqual([EXPECTED_QUALITY[0]]);
    expect(own.body.multiCarrier).toEqual([]);

    const other = await harness.get(`/api/oversight?${RANGE}&carrier=CTCC`, 'carrier:CMCC');
    expect(other).toMatchObject({
      status: 403,
      body: { error: 'PERMISSION_DENIED', message: "role carrier:CMCC may not read carrier CTCC's figures" },
    });
    await expect(
      harness.client('carrier:CMCC').getOversight({ fromDay: '2024-02-05', toDay: '2024-02-07', carrier: 'CTCC' }),
    ).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
  });

  it('GET /api/oversight.csv: a header and one line per row', async () => {
    const { status: code, headers, body } = await harness.get<string>(`/api/oversight.csv?${RANGE}`, 'analyst');
    expect(code).toBe(200);
    expect(headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(headers.get('content-disposition')).toBe('attachment; filename="oversight-2024-02-05-2024-02-07.csv"');
    const lines = body.split('\r\n');
    expect(lines[0]).toBe('day,carrier,policy,reason,warnings,restrictions,suspensions,restorations');
    expect(lines.slice(1, -1)).toEqual(
      EXPECTED_ROWS.map((r) =>
        [r.day, r.carrier, r.policy, r.reason, r.warnings, r.restrictions, r.suspensions, r.restorations].join(','),
      ),
    );
    expect(lines.at(-1)).toBe('');
  });

  it('GET /api/quality.csv: each carrier’s totals (reason ALL), then its reasons', async () => {
    const { headers, body } = await harness.get<string>(`/api/quality.csv?${RANGE}`, 'analyst');
    expect(headers.get('content-disposition')).toBe('attachment; filename="quality-2024-02-05-2024-02-07.csv"');
    expect(body).toBe(
      [
        'carrier,reason,suspensions,mistaken,mistaken_kill_rate,restore_hours_p50,restore_hours_p90',
        'CMCC,ALL,1,1,1,10,10',
        'CMCC,CORROBORATED_REPORTS,1,1,1,10,10',
        'CTCC,ALL,4,1,0.25,30,744',
        'CTCC,CALL_BURST,3,1,0.3333333333333333,30,744',
        'CTCC,CORROBORATED_REPORTS,2,1,0.5,30,30',
        '',
      ].join('\r\n'),
    );
  });

  it('GET /api/oversight/numbers: the decisions behind a chart point, scoped to the carrier, audited', async () => {
    const ctcc = await harness.http<{ numbers: { msisdn: string; action: string }[]; truncated: boolean }>(
      'GET',
      '/api/oversight/numbers?day=2024-02-06&series=flags&carrier=CTCC',
      { role: 'analyst', subject: 'analyst-drill' },
    );
    expect(ctcc.status).toBe(200);
    // D7 RESTRICT and D9 SUSPEND that day; D6 is a WARN, D2 and D4 restores.
    expect(ctcc.body).toMatchObject({ day: '2024-02-06', series: 'flags', truncated: false });
    expect(ctcc.body.numbers.map((n) => [n.msisdn, n.action])).toEqual([
      ['+8619100000005', 'SUSPEND'],
      ['+8619100000004', 'RESTRICT'],
    ]);
    const restored = await harness.get<{ numbers: { msisdn: string; carrier: string }[] }>(
      '/api/oversight/numbers?day=2024-02-06&series=restorations',
      'analyst',
    );
    expect(restored.body.numbers.map((n) => `${n.carrier} ${n.msisdn}`)).toEqual([
      'CTCC +8619100000002',
      'CTCC +8619100000001',
      'CMCC +8613800000001',
    ]);
    // A carrier reads its own decisions only, whatever it asks for.
    const own = await harness.get<{ numbers: { carrier: string }[] }>(
      '/api/oversight/numbers?day=2024-02-06&series=restorations',
      'carrier:CMCC',
    );
    expect(own.body.numbers.map((n) => n.carrier)).toEqual(['CMCC']);
    expect(
      await harness.get('/api/oversight/numbers?day=2024-02-06&series=restorations&carrier=CTCC', 'carrier:CMCC'),
    ).toMatchObject({ status: 403, body: { error: 'PERMISSION_DENIED' } });
    expect(await harness.get('/api/oversight/numbers?day=2024-02-06&series=flags', 'police')).toMatchObject({
      status: 403,
    });
    expect(
      await harness.sql(`SELECT action, outcome, detail FROM audit_event WHERE actor = 'analyst-drill' ORDER BY id`),
    ).toEqual([
      {
        action: 'HTTP GET /api/oversight/numbers',
        outcome: 'OK',
        detail: { day: '2024-02-06', series: 'flags', carrier: 'CTCC' },
      },
    ]);
  });

  it('GET /api/oversight/numbers refuses a missing day, a malformed one and an unknown series, naming it', async () => {
    expect(await harness.get('/api/oversight/numbers?series=flags', 'analyst')).toMatchObject({
      status: 400,
      body: { error: 'REQUIRED', field: 'day' },
    });
    expect(await harness.get('/api/oversight/numbers?day=2024-02-30&series=flags', 'analyst')).toMatchObject({
      status: 400,
      body: { error: 'MALFORMED', field: 'day' },
    });
    expect(await harness.get('/api/oversight/numbers?day=2024-02-06&series=calleeWarnings', 'analyst')).toMatchObject({
      status: 400,
      body: { error: 'MALFORMED', field: 'series' },
    });
  });

  it('GET /api/oversight/workload: open cases, SLA breaches and open directives, a carrier’s own only', async () => {
    // One directive to a running carrier (CTCC), one to CBN, which is not running here: it never counts.
    for (const msisdn of ['+8619100000004', '+8619200000004'])
      expect(
        await harness.http('POST', '/api/directives', {
          role: 'admin:sichuan',
          body: { msisdn, kind: 'REVIEW', reason: 'x' },
        }),
      ).toMatchObject({ status: 201 });
    const all = await harness.get<{ openCases: number; slaBreaches: number; directivesOpen: number }>(
      '/api/oversight/workload',
      'analyst',
    );
    expect(all.status).toBe(200);
    expect(Object.keys(all.body).sort()).toEqual(['directivesOpen', 'openCases', 'slaBreaches']);
    const [unresolved, breached, open] = await Promise.all([
      harness.sql(`SELECT count(*)::int AS n FROM case_file WHERE resolved_at IS NULL`),
      harness.sql(
        `SELECT count(*)::int AS n FROM case_file
          WHERE resolved_at IS NULL AND (status = 'ESCALATED' OR due_at < now())`,
      ),
      harness.sql(
        `SELECT count(*)::int AS n FROM directive WHERE status IN ('PENDING', 'DELIVERED') AND carrier <> 'CBN'`,
      ),
    ]);
    expect(all.body).toEqual({
      openCases: (unresolved[0] as { n: number }).n,
      slaBreaches: (breached[0] as { n: number }).n,
      directivesOpen: (open[0] as { n: number }).n,
    });
    expect(all.body.directivesOpen).toBe(1);
    expect(await harness.get('/api/oversight/workload', 'carrier:CBN')).toMatchObject({
      body: { directivesOpen: 0 },
    });
    const cucc = await harness.get('/api/oversight/workload', 'carrier:CUCC');
    expect(cucc).toMatchObject({ status: 200, body: { openCases: 0, slaBreaches: 0, directivesOpen: 0 } });
    expect(await harness.get('/api/oversight/workload?carrier=CMCC', 'carrier:CUCC')).toMatchObject({ status: 403 });
    expect(await harness.get('/api/oversight/workload', 'police')).toMatchObject({ status: 403 });
  });

  it('refuses a malformed range, naming the parameter', async () => {
    expect(await harness.get('/api/oversight?from=2024-02-30', 'analyst')).toMatchObject({
      status: 400,
      body: { error: 'MALFORMED', field: 'from' },
    });
    expect(await harness.get('/api/oversight?from=2024-02-07&to=2024-02-05', 'analyst')).toMatchObject({
      status: 400,
      body: { error: 'OUT_OF_RANGE', field: 'to' },
    });
    await expect(harness.client('analyst').getOversight({ fromDay: 'yesterday' })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'from_day'),
    );
  });
});
