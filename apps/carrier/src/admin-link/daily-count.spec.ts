import { Action } from '@app/domain';
import { dailyCountKey, nextDailyRun } from './daily-count';

describe(dailyCountKey.name, () => {
  const count = { day: '2024-03-01', policy: 'default@1', action: Action.Warn, reason: 'CALL_BURST', count: 17 };

  it('names the carrier, the day, the policy, the action and the reason, and the figure as its revision', () => {
    expect(dailyCountKey('CMCC', count)).toBe('CMCC-count-2024-03-01-default@1-WARN-CALL_BURST-17');
    // A recount that finds more decisions is a new item; one that finds the same is a replay.
    expect(dailyCountKey('CMCC', { ...count, count: 18 })).not.toBe(dailyCountKey('CMCC', count));
    expect(dailyCountKey('CMCC', { ...count })).toBe(dailyCountKey('CMCC', count));
  });

  it('fits the outbox key column (128) for the longest policy name and reason', () => {
    const longest = {
      ...count,
      policy: `${'p'.repeat(40)}@2147483647`,
      action: Action.Restrict,
      reason: 'HIGH_RISK_CELL_ACTIVITY',
      count: 999_999_999_999,
    };
    expect(dailyCountKey('CMCC', longest).length).toBeLessThanOrEqual(128);
  });
});

describe(nextDailyRun.name, () => {
  it('runs at 00:30 China Standard Time, the next one after now', () => {
    expect(new Date(nextDailyRun(Date.parse('2024-03-01T10:00:00+08:00'))).toISOString()).toBe(
      '2024-03-01T16:30:00.000Z',
    );
    expect(new Date(nextDailyRun(Date.parse('2024-03-02T00:10:00+08:00'))).toISOString()).toBe(
      '2024-03-01T16:30:00.000Z',
    );
    expect(new Date(nextDailyRun(Date.parse('2024-03-02T00:30:00+08:00'))).toISOString()).toBe(
      '2024-03-02T16:30:00.000Z',
    );
  });
});
