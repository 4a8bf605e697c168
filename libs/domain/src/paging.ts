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

/** Where a newest-first keyset page ended: the time and id of its last row. */
export interface TimeIdPosition {
  at: Date;
  id: string;
}

/** The position a page token of a newest-first list by time and id carries; undefined for the first page. */
export function decodeTimeIdPageToken(
  token: string | undefined,
  field = 'page.page_token',
): TimeIdPosition | undefined {
  const position = decodePageToken<{ at: string; id: string }>(token, { at: 'string', id: 'string' }, field);
  if (!position) return undefined;
  const at = new Date(position.at);
  if (Number.isNaN(at.getTime()))
    throw new ValidationError(ValidationErrorCode.Malformed, field, 'is not a page token returned by this service');
  return { at, id: position.id };
}

/**
 * A page out of `rows`, read `limit + 1` at a time: the first `limit` rows,
 * and the token of the next page when the extra row shows there is one ('' on
 * the last page).
 */
export function timeIdPage<T>(
  rows: readonly T[],
  limit: number,
  positionOf: (row: T) => TimeIdPosition,
): { items: T[]; nextPageToken: string } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  if (rows.length <= limit || last === undefined) return { items, nextPageToken: '' };
  const { at, id } = positionOf(last);
  return { items, nextPageToken: encodePageToken({ at: at.toISOString(), id }) };
}
