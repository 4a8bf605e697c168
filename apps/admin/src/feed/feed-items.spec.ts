import { validateFeed } from './feed-items';

describe('validateFeed: callee warnings', () => {
  const now = new Date('2024-02-07T00:00:00Z');
  const item = (calleeWarnings: { day: string; policy: string; count: number }) => ({
    idempotencyKey: 'CTCC-callee-warnings-2024-02-06-default@3-12',
    calleeWarnings,
  });

  it('takes a day’s count of callee warnings under a policy', () => {
    expect(validateFeed([item({ day: '2024-02-06', policy: 'default@3', count: 12 })], now)).toEqual([
      {
        idempotencyKey: 'CTCC-callee-warnings-2024-02-06-default@3-12',
        calleeWarnings: { day: '2024-02-06', policy: 'default@3', count: 12 },
      },
    ]);
  });

  it.each([
    ['a day that is not one', { day: '2024-02-30', policy: 'default@3', count: 1 }, 'callee_warnings.day'],
    ['a policy without its version', { day: '2024-02-06', policy: 'default', count: 1 }, 'callee_warnings.policy'],
    ['a negative count', { day: '2024-02-06', policy: 'default@3', count: -1 }, 'callee_warnings.count'],
  ])('refuses %s, naming the field', (_case, warnings, field) => {
    expect(() => validateFeed([item(warnings)], now)).toThrow(`items[0].${field}: `);
  });

  it('names every kind it takes when an item has none', () => {
    expect(() => validateFeed([{ idempotencyKey: 'k' }], now)).toThrow(
      'items[0].kind: a decision, a daily_count, callee_warnings or a rule_demotion is required',
    );
  });
});
