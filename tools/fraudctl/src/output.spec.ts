import { action } from '@app/contracts/codecs';
import { enumLabel, fields, formatTime, table, toJson, wrap } from './output';

describe('fraudctl output', () => {
  it('aligns table columns to their widest cell, without trailing spaces', () => {
    expect(
      table(
        ['NUMBER', 'STATUS'],
        [
          ['+8619112345678', 'SUSPECTED'],
          ['+8613800000002', '-'],
        ],
        '  ',
      ),
    ).toEqual(['  NUMBER          STATUS', '  +8619112345678  SUSPECTED', '  +8613800000002  -']);
    expect(
      fields([
        ['state', 'SUSPEND'],
        ['next steps', ''],
      ]),
    ).toEqual(['state       SUSPEND', 'next steps']);
  });

  it('wraps words to the width, keeping a longer word whole', () => {
    expect(wrap('Verify your identity in person at a shop', 16)).toEqual([
      'Verify your',
      'identity in',
      'person at a shop',
    ]);
    expect(wrap('re-verification-at-a-shop now', 10)).toEqual(['re-verification-at-a-shop', 'now']);
    expect(wrap('', 10)).toEqual([]);
  });

  it('shows times in China Standard Time with the offset, and enum names without their prefix', () => {
    expect(formatTime({ seconds: 1709358300, nanos: 0 })).toBe('2024-03-02 13:45:00 +08:00');
    expect(formatTime(undefined)).toBe('-');
    expect(enumLabel('ACTION_SUSPEND', action)).toBe('SUSPEND');
    expect(enumLabel('ACTION_UNSPECIFIED', action)).toBe('-');
    expect(enumLabel(undefined, action)).toBe('-');
  });

  it('writes timestamps as RFC 3339 in JSON, everything else as is', () => {
    expect(JSON.parse(toJson({ at: { seconds: 1709358300, nanos: 5_000_000 }, list: [{ n: 1 }], none: null }))).toEqual(
      { at: '2024-03-02T05:45:00.005Z', list: [{ n: 1 }], none: null },
    );
  });
});
