import { Action, ReasonCode, type Msisdn } from '@app/domain';
import { toFeedItem, type DailyCountPayload, type DecisionPayload } from './feed-item.mapper';

/** A REPORT decision as DecisionRecorder stores it in the ADMIN outbox (after a JSON round trip). */
const report: DecisionPayload = JSON.parse(
  JSON.stringify({
    id: '0f3a9c1d2e4b5a697880011223344556',
    carrier: 'CMCC',
    at: Date.parse('2024-03-01T10:26:00.250+08:00'),
    msisdn: '+8619100009999' as Msisdn,
    action: Action.Report,
    previous: Action.None,
    reasons: [ReasonCode.ForeignHarassment],
    score: 0.52,
    policy: 'default@1',
    shadow: false,
    evidence: {
      summary: 'one_ring_calls_24h 40 (threshold 12)',
      windowStart: Date.parse('2024-02-29T10:26:00+08:00'),
      windowEnd: Date.parse('2024-03-01T10:26:00.250+08:00'),
      measures: [{ name: 'one_ring_calls_24h', value: 40, threshold: 12 }],
      cells: [{ cell: '460-00-10001-1', at: Date.parse('2024-03-01T10:00:00+08:00'), activity: 'call' }],
    },
  }),
);

describe(toFeedItem.name, () => {
  it('sends a decision with its own id, the row’s key, wire actions and Timestamps', () => {
    expect(toFeedItem('CMCC-decision-0f3a', report)).toEqual({
      idempotencyKey: 'CMCC-decision-0f3a',
      decision: {
        decisionId: report.id,
        msisdn: '+8619100009999',
        action: 'ACTION_REPORT',
        previous: 'ACTION_NONE',
        reasons: ['FOREIGN_HARASSMENT'],
        score: 0.52,
        policy: 'default@1',
        at: { seconds: 1709259960, nanos: 250_000_000 },
        evidence: {
          summary: 'one_ring_calls_24h 40 (threshold 12)',
          windowStart: { seconds: 1709173560, nanos: 0 },
          windowEnd: { seconds: 1709259960, nanos: 250_000_000 },
          measures: [{ name: 'one_ring_calls_24h', value: 40, threshold: 12 }],
          cells: [{ cell: '460-00-10001-1', at: { seconds: 1709258400, nanos: 0 }, activity: 'call' }],
        },
      },
    });
  });

  it('maps the same row to the same item every time, so a resend is a replay', () => {
    expect(toFeedItem('k', report)).toEqual(toFeedItem('k', structuredClone(report)));
  });

  it('gives a directive’s decision, which has no measures, its reasons as the summary', () => {
    const suspension = {
      ...report,
      action: Action.Suspend,
      reasons: [ReasonCode.Directive],
      evidence: { ...report.evidence, summary: '', measures: [], cells: [] },
    };
    expect(toFeedItem('k', suspension).decision).toMatchObject({
      action: 'ACTION_SUSPEND',
      evidence: { summary: 'DIRECTIVE', measures: [], cells: [] },
    });
  });

  it('sends a daily count', () => {
    const count: DailyCountPayload = {
      kind: 'daily_count',
      day: '2024-03-01',
      policy: 'default@1',
      action: Action.Warn,
      reason: 'CALL_BURST',
      count: 17,
    };
    expect(toFeedItem('CMCC-count-2024-03-01-default@1-WARN-CALL_BURST-17', count)).toEqual({
      idempotencyKey: 'CMCC-count-2024-03-01-default@1-WARN-CALL_BURST-17',
      dailyCount: { day: '2024-03-01', policy: 'default@1', action: 'ACTION_WARN', reason: 'CALL_BURST', count: 17 },
    });
  });

  it('refuses a payload it cannot read, naming what is wrong (the relay sets it aside)', () => {
    expect(() => toFeedItem('k', { ...report, id: undefined })).toThrow('id is missing');
    expect(() => toFeedItem('k', { ...report, action: 'SUSPENDED' })).toThrow('SUSPENDED is not an action');
    expect(() => toFeedItem('k', { ...report, evidence: undefined })).toThrow(
      'a decision payload needs evidence and reasons',
    );
    expect(() =>
      toFeedItem('k', {
        kind: 'daily_count',
        day: '2024-03-01',
        policy: 'default@1',
        action: 'WARN',
        reason: 'CALL_BURST',
        count: '17',
      }),
    ).toThrow('count is not a number');
  });
});

describe('toFeedItem of a rule demotion', () => {
  const demotion = {
    kind: 'rule_demotion',
    policy: 'default@3',
    reason: 'NEW_SEGMENT',
    demotedAt: Date.parse('2024-03-01T10:26:00+08:00'),
    mistakes: 3,
    actions: 40,
    windowDays: 30,
  };

  it('sends a demotion with its Timestamp and no re-enable', () => {
    expect(toFeedItem('CMCC-demotion-default@3-NEW_SEGMENT-1', demotion)).toEqual({
      idempotencyKey: 'CMCC-demotion-default@3-NEW_SEGMENT-1',
      ruleDemotion: {
        policy: 'default@3',
        reason: 'NEW_SEGMENT',
        demotedAt: { seconds: 1709259960, nanos: 0 },
        mistakes: 3,
        actions: 40,
        windowDays: 30,
        reenabledAt: undefined,
        reenabledBy: '',
        why: '',
      },
    });
  });

  it('sends a re-enable with who and why, and refuses one without them', () => {
    const reenabledAt = Date.parse('2024-03-02T09:00:00+08:00');
    const item = toFeedItem('k', { ...demotion, reenabledAt, reenabledBy: 'ops-li', why: 'weight lowered' });
    expect(item.ruleDemotion).toMatchObject({
      reenabledAt: { seconds: reenabledAt / 1000, nanos: 0 },
      reenabledBy: 'ops-li',
      why: 'weight lowered',
    });
    expect(() => toFeedItem('k', { ...demotion, reenabledAt })).toThrow('reenabledBy is missing');
    expect(() => toFeedItem('k', { ...demotion, mistakes: 1.5 })).toThrow('mistakes is not a whole number');
  });
});
