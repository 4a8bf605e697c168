import { Action, ValidationError } from '@app/domain';
import type { DailyActionCount, ReasonCount, Suspension } from '../oversight/figures';
import {
  assertMonthBegun,
  buildMonthlyReport,
  cstMinute,
  monthRange,
  type MonthlyFigures,
  type ReportContext,
} from './monthly-report';
import { monthlyReportHtml, PHONE_NUMBER, REDACTED } from './monthly-report.html';

const cst = (local: string) => new Date(`${local}+08:00`);
const NOVEMBER = monthRange('2026-11', 'month');

const count = (day: string, carrier: string, reason: string, action: ReasonCount['action'], n: number) => ({
  day,
  carrier,
  policy: carrier === 'CTCC' ? 'default@3' : 'cmcc@1',
  reason,
  action,
  count: n,
});
const decisions = (day: string, carrier: string, action: Action, n: number): DailyActionCount => ({
  day,
  carrier,
  action,
  count: n,
});

/**
 * November 2026 (CST):
 *   CTCC S1 +8619100000001 SUSPEND CALL_BURST, CORROBORATED_REPORTS 11-03 10:00 -> POLICE_CLEARED 11-05 10:00 (48 h)
 *   CTCC S2 +8619100000002 SUSPEND CALL_BURST                       11-03 12:00 -> APPEAL_UPHELD 11-06 00:00 (60 h)
 *   CTCC S3 +8619100000003 SUSPEND CALL_BURST                       11-20 08:00 -> ID_VERIFIED 11-20 10:00 (2 h)
 *   CMCC M1 +8613800000001 SUSPEND CORROBORATED_REPORTS             11-10 09:00 never restored
 *   CTCC warnings: 1 fed on 11-04, the carrier's own count 40 for CALL_BURST that day
 */
const SUSPENSIONS: Suspension[] = [
  {
    carrier: 'CTCC',
    msisdn: '+8619100000001',
    reasons: ['CALL_BURST', 'CORROBORATED_REPORTS'],
    at: cst('2026-11-03T10:00:00'),
    restore: { at: cst('2026-11-05T10:00:00'), reasons: ['POLICE_CLEARED'] },
  },
  {
    carrier: 'CTCC',
    msisdn: '+8619100000002',
    reasons: ['CALL_BURST'],
    at: cst('2026-11-03T12:00:00'),
    restore: { at: cst('2026-11-06T00:00:00'), reasons: ['APPEAL_UPHELD'] },
  },
  {
    carrier: 'CTCC',
    msisdn: '+8619100000003',
    reasons: ['CALL_BURST'],
    at: cst('2026-11-20T08:00:00'),
    restore: { at: cst('2026-11-20T10:00:00'), reasons: ['ID_VERIFIED'] },
  },
  { carrier: 'CMCC', msisdn: '+8613800000001', reasons: ['CORROBORATED_REPORTS'], at: cst('2026-11-10T09:00:00') },
];

const FIGURES: MonthlyFigures = {
  actions: [
    decisions('2026-11-03', 'CTCC', Action.Suspend, 2),
    decisions('2026-11-04', 'CTCC', Action.Warn, 1),
    decisions('2026-11-05', 'CTCC', Action.Restore, 1),
    decisions('2026-11-06', 'CTCC', Action.Restore, 1),
    decisions('2026-11-20', 'CTCC', Action.Suspend, 1),
    decisions('2026-11-20', 'CTCC', Action.Restore, 1),
    decisions('2026-11-20', 'CTCC', Action.Report, 7), // not an action of the report
    decisions('2026-11-10', 'CMCC', Action.Suspend, 1),
  ],
  counted: [
    count('2026-11-03', 'CTCC', 'CALL_BURST', Action.Suspend, 2),
    count('2026-11-03', 'CTCC', 'CORROBORATED_REPORTS', Action.Suspend, 1),
    count('2026-11-04', 'CTCC', 'CALL_BURST', Action.Warn, 1),
    count('2026-11-05', 'CTCC', 'POLICE_CLEARED', Action.Restore, 1),
    count('2026-11-06', 'CTCC', 'APPEAL_UPHELD', Action.Restore, 1),
    count('2026-11-20', 'CTCC', 'CALL_BURST', Action.Suspend, 1),
    count('2026-11-20', 'CTCC', 'ID_VERIFIED', Action.Restore, 1),
    count('2026-11-10', 'CMCC', 'CORROBORATED_REPORTS', Action.Suspend, 1),
  ],
  reported: [count('2026-11-04', 'CTCC', 'CALL_BURST', Action.Warn, 40)],
  suspensions: SUSPENSIONS,
  demotions: [
    {
      carrier: 'CTCC',
      policy: 'default@3',
      reason: 'NEW_SEGMENT',
      demotedAt: cst('2026-11-20T10:00:00'),
      mistakes: 3,
      actions: 40,
      windowDays: 30,
      reenabledAt: null,
      reenabledBy: null,
      why: null,
    },
    {
      carrier: 'CTCC',
      policy: 'default@3',
      reason: 'HIGH_RISK_CELL_ACTIVITY',
      demotedAt: cst('2026-10-20T10:00:00'),
      mistakes: 4,
      actions: 50,
      windowDays: 30,
      reenabledAt: cst('2026-11-02T09:30:00'),
      reenabledBy: 'ops-li',
      // Free text from an operator: never printed.
      why: 'the subscriber at 13912345678 complained',
    },
  ],
  calleeWarnings: [
    { day: '2026-11-04', carrier: 'CTCC', policy: 'default@3', count: 12 },
    { day: '2026-11-05', carrier: 'CTCC', policy: 'default@3', count: 3 },
    { day: '2026-12-01', carrier: 'CTCC', policy: 'default@3', count: 9 }, // December's
  ],
};

const CONTEXT: ReportContext = {
  range: NOVEMBER,
  province: 'sichuan',
  carriers: ['CMCC', 'CUCC', 'CTCC'],
  now: new Date('2026-12-06T13:20:00Z'),
};

describe(monthRange.name, () => {
  it('spans the month from 00:00 China Standard Time on its first day to 00:00 on the next month’s', () => {
    expect(NOVEMBER).toEqual({
      month: '2026-11',
      from: '2026-11-01',
      to: '2026-11-30',
      start: new Date('2026-10-31T16:00:00Z'),
      end: new Date('2026-11-30T16:00:00Z'),
    });
    expect(monthRange('2026-12', 'month')).toMatchObject({ to: '2026-12-31', end: new Date('2026-12-31T16:00:00Z') });
    expect(monthRange('2028-02', 'month').to).toBe('2028-02-29');
  });

  it.each([undefined, '', '2026-13', '2026-00', '2026-1', '26-11', '2026-11-01', 'november'])(
    'refuses %p naming the field',
    (input) => {
      expect(() => monthRange(input, 'month')).toThrow(ValidationError);
      expect(() => monthRange(input, 'month')).toThrow(/^month: /);
    },
  );

  it('refuses a month that has not begun; the current month is allowed', () => {
    expect(() => assertMonthBegun(monthRange('2027-01', 'month'), CONTEXT.now, 'month')).toThrow(
      'month: 2027-01 has not begun (today is 2026-12-06 in China Standard Time)',
    );
    expect(() => assertMonthBegun(monthRange('2026-12', 'month'), CONTEXT.now, 'month')).not.toThrow();
  });
});

describe(buildMonthlyReport.name, () => {
  const report = buildMonthlyReport(FIGURES, CONTEXT);
  const ctcc = report.carriers.find((c) => c.carrier === 'CTCC')!;
  const cmcc = report.carriers.find((c) => c.carrier === 'CMCC')!;

  it('has every running carrier, in order, a quiet one with zeros and no rates', () => {
    expect(report).toMatchObject({
      month: '2026-11',
      from: '2026-11-01',
      to: '2026-11-30',
      province: 'sichuan',
      provisional: false,
      generatedAt: '2026-12-06 21:20',
    });
    expect(report.carriers.map((c) => c.carrier)).toEqual(['CMCC', 'CTCC', 'CUCC']);
    expect(report.carriers[2]).toEqual({
      carrier: 'CUCC',
      actions: { warnings: 0, restrictions: 0, suspensions: 0, restorations: 0 },
      reasons: [],
      restoresByReason: [],
      mistaken: 0,
      mistakenKillRate: null,
      restore: { restored: 0, stillSuspended: 0, hoursP50: null, hoursP90: null },
      appeals: { upheld: 0, upheldOfMonthSuspensions: 0 },
      calleeWarnings: 0,
      demotions: [],
      demotionsInForce: 0,
    });
  });

  it('counts each decision once per carrier; per reason, under each reason, the carrier’s own count first', () => {
    expect(ctcc.actions).toEqual({ warnings: 1, restrictions: 0, suspensions: 3, restorations: 3 });
    expect(ctcc.reasons).toEqual([
      // S1, S2, S3 cite it; S1 and S2 were mistaken; restored after [48, 60, 2] hours
      {
        reason: 'CALL_BURST',
        warnings: 40,
        restrictions: 0,
        suspensions: 3,
        mistaken: 2,
        mistakenKillRate: 2 / 3,
        restoreHoursP50: 48,
        restoreHoursP90: 60,
      },
      {
        reason: 'CORROBORATED_REPORTS',
        warnings: 0,
        restrictions: 0,
        suspensions: 1,
        mistaken: 1,
        mistakenKillRate: 1,
        restoreHoursP50: 48,
        restoreHoursP90: 48,
      },
    ]);
    expect(ctcc.restoresByReason).toEqual([
      { reason: 'APPEAL_UPHELD', count: 1 },
      { reason: 'ID_VERIFIED', count: 1 },
      { reason: 'POLICE_CLEARED', count: 1 },
    ]);
  });

  it('mistaken kills, time to restore (nearest rank) and upheld appeals', () => {
    expect(ctcc).toMatchObject({
      mistaken: 2,
      mistakenKillRate: 2 / 3,
      // hours [48, 60, 2]
      restore: { restored: 3, stillSuspended: 0, hoursP50: 48, hoursP90: 60 },
      appeals: { upheld: 1, upheldOfMonthSuspensions: 1 },
    });
    expect(cmcc).toMatchObject({
      mistaken: 0,
      mistakenKillRate: 0,
      restore: { restored: 0, stillSuspended: 1, hoursP50: null, hoursP90: null },
    });
    expect(report.totals).toEqual({
      actions: { warnings: 1, restrictions: 0, suspensions: 4, restorations: 3 },
      mistaken: 2,
      mistakenKillRate: 0.5,
      restore: { restored: 3, stillSuspended: 1, hoursP50: 48, hoursP90: 60 },
      appeals: { upheld: 1, upheldOfMonthSuspensions: 1 },
      calleeWarnings: 15,
      demotions: 2,
      demotionsInForce: 1,
    });
  });

  it('callee warnings of the month, and every rule demoted at some time in it, in CST, without who or why', () => {
    expect(ctcc.calleeWarnings).toBe(15);
    expect(ctcc.demotions).toEqual([
      {
        policy: 'default@3',
        reason: 'HIGH_RISK_CELL_ACTIVITY',
        demotedAt: '2026-10-20 10:00',
        mistakes: 4,
        actions: 50,
        windowDays: 30,
        reenabledAt: '2026-11-02 09:30',
      },
      {
        policy: 'default@3',
        reason: 'NEW_SEGMENT',
        demotedAt: '2026-11-20 10:00',
        mistakes: 3,
        actions: 40,
        windowDays: 30,
        reenabledAt: null,
      },
    ]);
    expect(ctcc.demotionsInForce).toBe(1);
  });

  it('holds no phone number, and no free text that might', () => {
    const json = JSON.stringify(report);
    expect(json.match(PHONE_NUMBER)).toBeNull();
    for (const s of SUSPENSIONS) expect(json).not.toContain(s.msisdn.slice(3));
    expect(json).not.toContain('ops-li');
    expect(json).not.toContain('complained');
  });

  it('says the current month is provisional, with a re-enable after now not yet shown', () => {
    const now = cst('2026-11-15T12:00:00');
    const early = buildMonthlyReport(FIGURES, { ...CONTEXT, now });
    expect(early.provisional).toBe(true);
    expect(early.generatedAt).toBe('2026-11-15 12:00');
    const later = buildMonthlyReport(
      {
        ...FIGURES,
        demotions: [
          { ...FIGURES.demotions[0]!, demotedAt: cst('2026-11-10T00:00:00'), reenabledAt: cst('2026-11-25') },
        ],
      },
      { ...CONTEXT, now },
    );
    expect(later.carriers.find((c) => c.carrier === 'CTCC')).toMatchObject({
      demotions: [{ reenabledAt: null }],
      demotionsInForce: 1,
    });
  });
});

describe(monthlyReportHtml.name, () => {
  const report = buildMonthlyReport(FIGURES, CONTEXT);
  const html = monthlyReportHtml(report);

  it('is one self-contained page: no script, no external resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|url\(|@import/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('has bilingual headings, every carrier, the figures and a method section', () => {
    expect(html).toContain('涉诈号码处置月度公开报告');
    expect(html).toContain('Monthly public report on fraud-number actions, 2026-11');
    expect(html).toContain('Mistaken kills');
    expect(html).toContain('统计口径');
    expect(html).toContain('Method and definitions');
    for (const carrier of ['CMCC', 'CTCC', 'CUCC']) expect(html).toContain(`id="carrier-${carrier}"`);
    expect(html).toContain('<td>66.7%</td>');
    expect(html).toContain('申诉成立');
    expect(html).not.toContain('data-provisional');
    expect(monthlyReportHtml({ ...report, provisional: true })).toContain('data-provisional');
  });

  it('shows no data as a dash, not as 0.0', () => {
    const cucc = html.slice(html.indexOf('id="carrier-CUCC"'));
    expect(cucc).toContain('<td>—</td>');
    expect(cucc).not.toContain('0.0');
  });

  it('withholds anything that looks like a phone number, escaped', () => {
    const leaky = {
      ...report,
      province: '<b>sichuan</b> 13912345678',
      carriers: report.carriers.map((c) => ({
        ...c,
        demotions: c.demotions.map((d) => ({ ...d, policy: 'call +86 139-1234-5678 or 8613912345678' })),
      })),
    };
    const page = monthlyReportHtml(leaky);
    expect(page).toContain('&#60;b&#62;sichuan&#60;/b&#62;');
    expect(page.match(PHONE_NUMBER)).toBeNull();
    expect(page).not.toMatch(/1\d{10}|\+86/);
    expect(page).toContain(REDACTED);
  });

  it('withholds every written form of a mobile number', () => {
    for (const n of ['13912345678', '+8613912345678', '+86 139 1234 5678', '008613912345678', '139-1234-5678'])
      expect(`a ${n} b`.replace(PHONE_NUMBER, 'X')).toBe('a X b');
    expect('count 123456789012'.replace(PHONE_NUMBER, 'X')).toBe('count 123456789012');
  });
});

describe(cstMinute.name, () => {
  it('writes an instant as China Standard Time to the minute', () => {
    expect(cstMinute(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01 00:00');
  });
});
