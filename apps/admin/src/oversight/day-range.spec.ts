import { cstDay, dayRange, daysOf } from './day-range';

const fields = { from: 'from', to: 'to' };

describe(cstDay.name, () => {
  it('is the calendar day in China Standard Time (UTC+8)', () => {
    expect(cstDay(new Date('2024-02-06T15:59:59Z'))).toBe('2024-02-06');
    expect(cstDay(new Date('2024-02-06T16:00:00Z'))).toBe('2024-02-07');
  });
});

describe(dayRange.name, () => {
  const today = new Date('2024-03-01T02:00:00Z'); // 10:00 CST

  it('spans from 00:00 CST of the first day to 00:00 CST after the last', () => {
    expect(dayRange({ from: '2024-02-06', to: '2024-02-07' }, today, fields)).toEqual({
      from: '2024-02-06',
      to: '2024-02-07',
      start: new Date('2024-02-05T16:00:00Z'),
      end: new Date('2024-02-07T16:00:00Z'),
    });
  });

  it('defaults to the 30 days ending today', () => {
    const range = dayRange({}, today, fields);
    expect([range.from, range.to]).toEqual(['2024-02-01', '2024-03-01']); // 2024 is a leap year
    expect(daysOf(range)).toHaveLength(30);
  });

  it('refuses days that do not exist, a reversed range and more than 366 days, naming the field', () => {
    expect(() => dayRange({ from: '2024-02-30' }, today, fields)).toThrow(
      'from: "2024-02-30" is not a day: use YYYY-MM-DD',
    );
    expect(() => dayRange({ from: '6/2/2024' }, today, fields)).toThrow(/^from: /);
    expect(() => dayRange({ from: '2024-02-07', to: '2024-02-06' }, today, fields)).toThrow(
      /^to: must not be before from/,
    );
    expect(() => dayRange({ from: '2023-01-01', to: '2024-01-02' }, today, fields)).toThrow(/^from: at most 366 days/);
  });
});
