import { Action } from '@app/domain';
import {
  carrierQuality,
  carrierSeries,
  demotedRules,
  isMistaken,
  oversightRows,
  percentile,
  qualityFigures,
  restoreHours,
  type ReasonCount,
  type Suspension,
} from './figures';

const at = (iso: string) => new Date(iso);
const count = (action: ReasonCount['action'], n: number, over: Partial<ReasonCount> = {}): ReasonCount => ({
  day: '2024-02-06',
  carrier: 'CTCC',
  policy: 'default@3',
  reason: 'CALL_BURST',
  action,
  count: n,
  ...over,
});
const suspension = (restore?: { at: string; reasons: string[] }, over: Partial<Suspension> = {}): Suspension => ({
  carrier: 'CTCC',
  msisdn: '+8619100000001',
  reasons: ['CORROBORATED_REPORTS'],
  at: at('2024-02-01T00:00:00Z'),
  ...(restore ? { restore: { at: at(restore.at), reasons: restore.reasons } } : {}),
  ...over,
});

describe(oversightRows.name, () => {
  it('puts the four actions of one day, carrier, policy and reason on one row', () => {
    expect(oversightRows([count(Action.Warn, 3), count(Action.Suspend, 1), count(Action.Restore, 2)], [])).toEqual([
      {
        day: '2024-02-06',
        carrier: 'CTCC',
        policy: 'default@3',
        reason: 'CALL_BURST',
        warnings: 3,
        restrictions: 0,
        suspensions: 1,
        restorations: 2,
      },
    ]);
  });

  it('takes a carrier’s reported daily count over the count of its decisions, cell by cell', () => {
    const rows = oversightRows(
      [count(Action.Warn, 3), count(Action.Restrict, 1)],
      [count(Action.Warn, 40), count(Action.Warn, 5, { reason: 'ONE_RING_CALLS' })],
    );
    expect(rows.map((r) => [r.reason, r.warnings, r.restrictions])).toEqual([
      ['CALL_BURST', 40, 1],
      ['ONE_RING_CALLS', 5, 0],
    ]);
  });

  it('orders rows by day, carrier, policy and reason', () => {
    const rows = oversightRows(
      [
        count(Action.Warn, 1, { day: '2024-02-07' }),
        count(Action.Warn, 1, { carrier: 'CMCC' }),
        count(Action.Warn, 1, { reason: 'A' }),
      ],
      [],
    );
    expect(rows.map((r) => `${r.day} ${r.carrier} ${r.reason}`)).toEqual([
      '2024-02-06 CMCC CALL_BURST',
      '2024-02-06 CTCC A',
      '2024-02-07 CTCC CALL_BURST',
    ]);
  });
});

describe(isMistaken.name, () => {
  it('counts a restore for police clearance, registry clearance or an upheld appeal within 30 days', () => {
    for (const reason of ['POLICE_CLEARED', 'REGISTRY_CLEARED', 'APPEAL_UPHELD'])
      expect(isMistaken(suspension({ at: '2024-02-10T00:00:00Z', reasons: [reason] }))).toBe(true);
  });

  it('holds exactly 30 days, not a millisecond more', () => {
    expect(isMistaken(suspension({ at: '2024-03-02T00:00:00Z', reasons: ['POLICE_CLEARED'] }))).toBe(true);
    expect(isMistaken(suspension({ at: '2024-03-02T00:00:00.001Z', reasons: ['POLICE_CLEARED'] }))).toBe(false);
  });

  it('does not count a restore after ID verification, or a number still suspended', () => {
    expect(isMistaken(suspension({ at: '2024-02-02T00:00:00Z', reasons: ['ID_VERIFIED'] }))).toBe(false);
    expect(isMistaken(suspension())).toBe(false);
  });
});

describe(percentile.name, () => {
  it('is the nearest rank: always one of the values', () => {
    const hours = [5, 1, 4, 2, 3];
    expect(percentile(hours, 50)).toBe(3);
    expect(percentile(hours, 90)).toBe(5);
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe(qualityFigures.name, () => {
  it('divides mistaken by all suspensions and takes restore times over the restored ones', () => {
    const figures = qualityFigures([
      suspension({ at: '2024-02-01T06:00:00Z', reasons: ['POLICE_CLEARED'] }), // 6 h, mistaken
      suspension({ at: '2024-02-02T00:00:00Z', reasons: ['ID_VERIFIED'] }), // 24 h
      suspension({ at: '2024-02-01T01:30:00Z', reasons: ['APPEAL_UPHELD'] }), // 1.5 h, mistaken
      suspension(), // still suspended
    ]);
    expect(figures).toEqual({
      suspensions: 4,
      mistaken: 2,
      mistakenKillRate: 0.5,
      restored: 3,
      restoreHoursP50: 6,
      restoreHoursP90: 24,
    });
    expect(restoreHours(suspension({ at: '2024-02-01T00:20:00Z', reasons: [] }))).toBeCloseTo(1 / 3);
  });

  it('is all zeros without suspensions', () => {
    expect(qualityFigures([])).toEqual({
      suspensions: 0,
      mistaken: 0,
      mistakenKillRate: 0,
      restored: 0,
      restoreHoursP50: 0,
      restoreHoursP90: 0,
    });
  });
});

describe(carrierQuality.name, () => {
  it('counts a suspension once for its carrier and once under each of its reasons', () => {
    const [ctcc] = carrierQuality([
      suspension(
        { at: '2024-02-02T00:00:00Z', reasons: ['POLICE_CLEARED'] },
        { reasons: ['CORROBORATED_REPORTS', 'CALL_BURST'] },
      ),
      suspension(undefined, { reasons: ['CALL_BURST'] }),
    ]);
    expect(ctcc).toMatchObject({ carrier: 'CTCC', suspensions: 2, mistaken: 1, mistakenKillRate: 0.5 });
    expect(ctcc!.byReason.map((r) => [r.reason, r.suspensions, r.mistaken, r.mistakenKillRate])).toEqual([
      ['CALL_BURST', 2, 1, 0.5],
      ['CORROBORATED_REPORTS', 1, 1, 1],
    ]);
  });
});

describe(carrierSeries.name, () => {
  it('gives each carrier a value a day: flags are restrictions, suspensions, reports; no rate unsuspended', () => {
    const days = ['2024-02-01', '2024-02-02'];
    const series = carrierSeries(
      days,
      ['CTCC', 'CMCC'],
      [
        { day: '2024-02-01', carrier: 'CTCC', action: Action.Restrict, count: 2 },
        { day: '2024-02-01', carrier: 'CTCC', action: Action.Suspend, count: 1 },
        { day: '2024-02-02', carrier: 'CTCC', action: Action.Report, count: 4 },
        { day: '2024-02-02', carrier: 'CTCC', action: Action.Warn, count: 7 },
        { day: '2024-02-02', carrier: 'CTCC', action: Action.Monitor, count: 9 },
      ],
      [suspension({ at: '2024-02-03T00:00:00Z', reasons: ['POLICE_CLEARED'] })],
      (d) => d.toISOString().slice(0, 10),
    );
    expect(series.CTCC).toEqual({
      flags: [3, 4],
      warnings: [0, 7],
      restrictions: [2, 0],
      suspensions: [1, 0],
      restorations: [0, 0],
      mistakenKillRate: [1, null],
      calleeWarnings: [0, 0],
    });
    expect(series.CMCC!.flags).toEqual([0, 0]);
  });

  it('adds up each carrier’s callee warnings of a day over its policies', () => {
    const series = carrierSeries(
      ['2024-02-01', '2024-02-02'],
      ['CTCC', 'CMCC'],
      [],
      [],
      (d) => d.toISOString().slice(0, 10),
      [
        { day: '2024-02-01', carrier: 'CTCC', policy: 'default@3', count: 5 },
        { day: '2024-02-01', carrier: 'CTCC', policy: 'protect@1', count: 2 },
        { day: '2024-02-02', carrier: 'CMCC', policy: 'default@3', count: 1 },
        { day: '2024-03-01', carrier: 'CMCC', policy: 'default@3', count: 9 },
      ],
    );
    expect(series.CTCC!.calleeWarnings).toEqual([7, 0]);
    expect(series.CMCC!.calleeWarnings).toEqual([0, 1]);
  });
});

describe(demotedRules.name, () => {
  const rule = (carrier: string, reason: string, demotedAt: string, reenabledAt: string | null) => ({
    carrier,
    policy: 'default@3',
    reason,
    demotedAt: at(demotedAt),
    mistakes: 3,
    actions: 40,
    windowDays: 30,
    reenabledAt: reenabledAt === null ? null : at(reenabledAt),
    reenabledBy: reenabledAt === null ? null : 'ops-li',
    why: reenabledAt === null ? null : 'checked',
  });

  it('puts each carrier on one line, its demotions oldest first, counting those still in force', () => {
    const lines = demotedRules([
      rule('CTCC', 'NEW_SEGMENT', '2024-02-06T03:00:00Z', null),
      rule('CMCC', 'ONE_RING_CALLS', '2024-02-02T03:00:00Z', '2024-02-03T03:00:00Z'),
      rule('CTCC', 'CALL_BURST', '2024-02-01T03:00:00Z', '2024-02-02T03:00:00Z'),
      rule('CTCC', 'SMS_BURST', '2024-02-06T03:00:00Z', null),
    ]);
    expect(lines.map((l) => [l.carrier, l.inForce, l.rules.map((r) => r.reason)])).toEqual([
      ['CMCC', 0, ['ONE_RING_CALLS']],
      ['CTCC', 2, ['CALL_BURST', 'NEW_SEGMENT', 'SMS_BURST']],
    ]);
    expect(lines[0].rules[0]).not.toHaveProperty('carrier');
  });

  it('has no line for a carrier without demotions', () => {
    expect(demotedRules([])).toEqual([]);
  });
});
