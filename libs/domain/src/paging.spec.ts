import { decodeTimeIdPageToken, encodePageToken, timeIdPage } from './paging';
import { ValidationError } from './errors';

const row = (id: string, iso: string) => ({ id, when: new Date(iso) });
const positionOf = (r: { id: string; when: Date }) => ({ at: r.when, id: r.id });

describe('time and id keyset pages', () => {
  it('answers the first rows and the token of the row that ends the page when there are more', () => {
    const rows = [row('c', '2024-03-03T00:00:00Z'), row('b', '2024-03-02T00:00:00Z'), row('a', '2024-03-01T00:00:00Z')];
    const page = timeIdPage(rows, 2, positionOf);
    expect(page.items.map((r) => r.id)).toEqual(['c', 'b']);
    expect(decodeTimeIdPageToken(page.nextPageToken)).toEqual({ at: new Date('2024-03-02T00:00:00Z'), id: 'b' });
  });

  it('answers no token on the last page', () => {
    expect(timeIdPage([row('a', '2024-03-01T00:00:00Z')], 2, positionOf).nextPageToken).toBe('');
    expect(timeIdPage([], 2, positionOf)).toEqual({ items: [], nextPageToken: '' });
  });

  it('reads no position from no token, and refuses a token whose time is not a time', () => {
    expect(decodeTimeIdPageToken(undefined)).toBeUndefined();
    expect(decodeTimeIdPageToken('')).toBeUndefined();
    const bad = encodePageToken({ at: 'yesterday', id: 'x' });
    expect(() => decodeTimeIdPageToken(bad)).toThrow(ValidationError);
    expect(() => decodeTimeIdPageToken(bad)).toThrow('is not a page token returned by this service');
    expect(() => decodeTimeIdPageToken(encodePageToken({ at: 1, id: 'x' }))).toThrow(ValidationError);
  });
});
