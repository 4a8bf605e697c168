import { ValidationError, ValidationErrorCode } from './errors';
import { decodePageToken, decodeTimePosition, encodePageToken, pageAfter } from './paging';

describe(pageAfter.name, () => {
  const rows = [
    { at: new Date('2025-01-01T00:00:00Z'), id: '1' },
    { at: new Date('2025-01-02T00:00:00Z'), id: '2' },
    { at: new Date('2025-01-03T00:00:00Z'), id: '3' },
  ];
  const positionOf = (last: (typeof rows)[number]) => ({ t: last.at.toISOString(), i: last.id });

  it('keeps the page and gives the token of its last item when a row more was read', () => {
    const page = pageAfter(rows, 2, positionOf);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(decodePageToken(page.nextPageToken, { t: 'string', i: 'string' })).toEqual({
      t: '2025-01-02T00:00:00.000Z',
      i: '2',
    });
  });

  it('gives no token on the last page', () => {
    expect(pageAfter(rows, 3, positionOf)).toEqual({ items: rows, nextPageToken: '' });
    expect(pageAfter([], 3, positionOf)).toEqual({ items: [], nextPageToken: '' });
  });
});

describe(decodeTimePosition.name, () => {
  it('reads the time, the id and the extra numbers of a token', () => {
    const token = encodePageToken({ t: '2025-01-02T00:00:00.000Z', r: 1, i: '42' });
    expect(decodeTimePosition<{ r: number }>(token, /^\d+$/, { r: 'number' })).toEqual({
      at: new Date('2025-01-02T00:00:00Z'),
      id: '42',
      r: 1,
    });
    expect(decodeTimePosition(encodePageToken({ t: '2025-01-02T00:00:00.000Z', i: '42' }), /^\d+$/)).toEqual({
      at: new Date('2025-01-02T00:00:00Z'),
      id: '42',
    });
  });

  it('answers undefined for no token', () => {
    expect(decodeTimePosition(undefined, /^\d+$/)).toBeUndefined();
    expect(decodeTimePosition('', /^\d+$/)).toBeUndefined();
  });

  it.each([
    ['a time that is none', { t: 'yesterday', i: '42' }],
    ['an id of another shape', { t: '2025-01-02T00:00:00.000Z', i: 'abc' }],
    ['a missing extra number', { t: '2025-01-02T00:00:00.000Z', i: '42' }],
  ])('refuses %s', (_what, position) => {
    expect(() => decodeTimePosition(encodePageToken(position), /^\d+$/, { r: 'number' })).toThrow(
      new ValidationError(
        ValidationErrorCode.Malformed,
        'page.page_token',
        'is not a page token returned by this service',
      ),
    );
  });
});
