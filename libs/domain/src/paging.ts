import { ValidationError, ValidationErrorCode } from './errors';

/** Page size asked for, defaulted and capped (AIP-158). */
export function pageSize(
  requested: number | undefined,
  defaults: { default: number; max: number },
  field = 'page.page_size',
): number {
  if (!requested) return defaults.default;
  if (!Number.isInteger(requested) || requested < 0)
    throw new ValidationError(ValidationErrorCode.OutOfRange, field, 'must be a positive whole number');
  return Math.min(requested, defaults.max);
}

/** Opaque keyset page tokens: base64url JSON, validated on the way back in. */
export function encodePageToken(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodePageToken<T extends Record<string, string | number>>(
  token: string | undefined,
  shape: { [K in keyof T]: 'string' | 'number' },
  field = 'page.page_token',
): T | undefined {
  if (!token) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError(ValidationErrorCode.Malformed, field, 'is not a page token returned by this service');
  }
  if (!parsed || typeof parsed !== 'object')
    throw new ValidationError(ValidationErrorCode.Malformed, field, 'is not a page token returned by this service');
  for (const [key, type] of Object.entries(shape)) {
    if (typeof (parsed as Record<string, unknown>)[key] !== type) {
      throw new ValidationError(ValidationErrorCode.Malformed, field, 'is not a page token returned by this service');
    }
  }
  return parsed as T;
}

/** A page of a list read one row more than the page: the row beyond says there is a next page. */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

/** The first `limit` of `rows` (read one more than the page), and the token of the position after the last of them. */
export function pageAfter<T>(
  rows: readonly T[],
  limit: number,
  positionOf: (last: T) => Record<string, string | number>,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextPageToken: rows.length > limit && last !== undefined ? encodePageToken(positionOf(last)) : '' };
}

/** Where a page of a list in (time, id) order ended, as a page token carries it back. */
export interface TimePosition {
  at: Date;
  id: string;
}

/**
 * The (time, id) position of a page token ({ t, …, i }), its id matching `id`,
 * with the numbers `extra` names besides; undefined for no token.
 */
export function decodeTimePosition<X extends Record<string, number> = Record<never, number>>(
  token: string | undefined,
  id: RegExp,
  extra = {} as { [K in keyof X]: 'number' },
  field = 'page.page_token',
): (TimePosition & X) | undefined {
  const shape = { t: 'string', ...extra, i: 'string' } as {
    [K in keyof (X & { t: string; i: string })]: 'string' | 'number';
  };
  const position = decodePageToken<X & { t: string; i: string }>(token, shape, field);
  if (!position) return undefined;
  const at = new Date(position.t);
  if (Number.isNaN(at.getTime()) || !id.test(position.i))
    throw new ValidationError(ValidationErrorCode.Malformed, field, 'is not a page token returned by this service');
  const { t: _time, i: _id, ...numbers } = position;
  return { ...(numbers as unknown as X), at, id: position.i };
}
