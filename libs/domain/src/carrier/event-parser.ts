import { parseCellId } from '../cell';
import { ValidationError, ValidationErrorCode } from '../errors';
import { normaliseMsisdn } from '../msisdn';
import { CARRIER_IDS, isCarrierId } from '../carriers';
import { ReportCategory, UsageProfile, type CarrierEvent } from './events';

type Raw = Record<string, unknown>;

const PROFILES: readonly string[] = Object.values(UsageProfile);
const CATEGORIES: readonly string[] = Object.values(ReportCategory);
const MAX_DURATION_SEC = 24 * 3600;

function fail(field: string, reason: string, code = ValidationErrorCode.Malformed): never {
  throw new ValidationError(code, field, reason);
}

function text(raw: Raw, key: string, prefix: string): string {
  const value = raw[key];
  if (value === undefined || value === null || value === '') fail(`${prefix}${key}`, 'is required', ValidationErrorCode.Required);
  if (typeof value !== 'string') fail(`${prefix}${key}`, 'must be a string');
  return value;
}

/** An RFC 3339 time with its offset, e.g. 2024-02-06T19:05:00+08:00, as ms since the epoch. */
export function parseTime(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '') fail(field, 'a time is required', ValidationErrorCode.Required);
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    fail(field, 'must be an RFC 3339 time with an offset, e.g. 2024-02-06T19:05:00+08:00');
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) fail(field, `"${value}" is not a valid time`);
  return ms;
}

function optionalCell(raw: Raw, key: string, prefix: string) {
  const value = raw[key];
  return value === undefined || value === null || value === '' ? undefined : parseCellId(String(value), `${prefix}${key}`);
}

function bool(raw: Raw, key: string, prefix: string, fallback?: boolean): boolean {
  const value = raw[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${prefix}${key}`, 'must be true or false', value === undefined ? ValidationErrorCode.Required : ValidationErrorCode.Malformed);
  return value;
}

function optionalId(raw: Raw, prefix: string): string | undefined {
  const id = raw.id;
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id !== 'string' || id.length > 128) fail(`${prefix}id`, 'must be a string of at most 128 characters');
  return id;
}

/**
 * One event of the event file format (DESIGN.md §3), validated: numbers to
 * E.164, times to ms. Unknown fields are ignored; errors name the field.
 */
export function parseEvent(raw: unknown, prefix = ''): CarrierEvent {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(prefix || 'event', 'must be a JSON object');
  const r = raw as Raw;
  const id = optionalId(r, prefix);
  const type = text(r, 'type', prefix);
  switch (type) {
    case 'subscriber': {
      const carrier = text(r, 'carrier', prefix);
      if (!isCarrierId(carrier)) fail(`${prefix}carrier`, `must be one of ${CARRIER_IDS.join(', ')}`);
      const profile = r.profile === undefined ? UsageProfile.None : text(r, 'profile', prefix);
      if (!PROFILES.includes(profile)) fail(`${prefix}profile`, `must be one of ${PROFILES.join(', ')}`);
      const activatedAt = parseTime(r.activatedAt, `${prefix}activatedAt`);
      return {
        type,
        id,
        at: r.at === undefined ? activatedAt : parseTime(r.at, `${prefix}at`),
        msisdn: normaliseMsisdn(text(r, 'msisdn', prefix), `${prefix}msisdn`),
        carrier,
        activatedAt,
        realNameVerified: bool(r, 'realNameVerified', prefix, false),
        profile: profile as UsageProfile,
      };
    }
    case 'high_risk_cell':
      return {
        type,
        id,
        at: parseTime(r.at, `${prefix}at`),
        cell: parseCellId(text(r, 'cell', prefix), `${prefix}cell`),
        until: r.until === undefined ? undefined : parseTime(r.until, `${prefix}until`),
        removed: r.removed === undefined ? undefined : bool(r, 'removed', prefix),
      };
    case 'call': {
      const durationSec = r.durationSec ?? 0;
      if (typeof durationSec !== 'number' || !Number.isFinite(durationSec) || durationSec < 0 || durationSec > MAX_DURATION_SEC) {
        fail(`${prefix}durationSec`, `must be a number of seconds from 0 to ${MAX_DURATION_SEC}`);
      }
      return {
        type,
        id,
        at: parseTime(r.at, `${prefix}at`),
        caller: normaliseMsisdn(text(r, 'caller', prefix), `${prefix}caller`),
        callee: normaliseMsisdn(text(r, 'callee', prefix), `${prefix}callee`),
        durationSec,
        answered: bool(r, 'answered', prefix, durationSec > 0),
        cell: optionalCell(r, 'cell', prefix),
      };
    }
    case 'sms':
      return {
        type,
        id,
        at: parseTime(r.at, `${prefix}at`),
        sender: normaliseMsisdn(text(r, 'sender', prefix), `${prefix}sender`),
        recipient: normaliseMsisdn(text(r, 'recipient', prefix), `${prefix}recipient`),
        cell: optionalCell(r, 'cell', prefix),
      };
    case 'location':
      return {
        type,
        id,
        at: parseTime(r.at, `${prefix}at`),
        msisdn: normaliseMsisdn(text(r, 'msisdn', prefix), `${prefix}msisdn`),
        cell: parseCellId(text(r, 'cell', prefix), `${prefix}cell`),
      };
    case 'report': {
      const category = text(r, 'category', prefix);
      if (!CATEGORIES.includes(category)) fail(`${prefix}category`, `must be one of ${CATEGORIES.join(', ')}`);
      return {
        type,
        id,
        at: parseTime(r.at, `${prefix}at`),
        reporter: normaliseMsisdn(text(r, 'reporter', prefix), `${prefix}reporter`),
        reported: normaliseMsisdn(text(r, 'reported', prefix), `${prefix}reported`),
        category: category as ReportCategory,
      };
    }
    case 'reactivation':
      return { type, id, at: parseTime(r.at, `${prefix}at`), msisdn: normaliseMsisdn(text(r, 'msisdn', prefix), `${prefix}msisdn`), idVerified: bool(r, 'idVerified', prefix) };
    case 'police_clear':
      return { type, id, at: parseTime(r.at, `${prefix}at`), msisdn: normaliseMsisdn(text(r, 'msisdn', prefix), `${prefix}msisdn`) };
    default:
      return fail(`${prefix}type`, `"${type.slice(0, 40)}" is not an event type (subscriber, high_risk_cell, call, sms, location, report, reactivation, police_clear)`);
  }
}
