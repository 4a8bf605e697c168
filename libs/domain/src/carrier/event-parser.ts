import { ValidationError, ValidationErrorCode } from '../errors';
import { validateEvent, type EventDraft, type EventFormat } from './event-validation';
import type { CarrierEvent } from './events';

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const FILE_TIME = 'as an RFC 3339 time with an offset, e.g. 2024-02-06T19:05:00+08:00';

function fail(field: string, reason: string, code = ValidationErrorCode.Malformed): never {
  throw new ValidationError(code, field, reason);
}

/** An RFC 3339 time with its offset, e.g. 2024-02-06T19:05:00+08:00, as ms since the epoch. */
export function parseTime(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '')
    fail(field, 'a time is required', ValidationErrorCode.Required);
  if (typeof value !== 'string' || !RFC_3339.test(value))
    fail(field, 'must be an RFC 3339 time with an offset, e.g. 2024-02-06T19:05:00+08:00');
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) fail(field, `"${value}" is not a valid time`);
  return ms;
}

/** The event file's form: fields named by their keys (under `prefix`), times in RFC 3339. */
function fileFormat(prefix: string): EventFormat {
  return { field: (key) => `${prefix}${key}`, time: FILE_TIME, readTime: parseTime };
}

const FILE_FORMAT = fileFormat('');

/**
 * One event of the event file format (DESIGN.md §3), validated by the rules every
 * event meets (validateEvent): numbers to E.164, times to ms. Unknown fields are
 * ignored; errors name the field.
 */
export function parseEvent(raw: unknown, prefix = ''): CarrierEvent {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(prefix || 'event', 'must be a JSON object');
  return validateEvent(raw as EventDraft, prefix === '' ? FILE_FORMAT : fileFormat(prefix));
}
