import { ValidationError, ValidationErrorCode } from '@app/domain';

/** China Standard Time has no daylight saving: a fixed offset makes every day 24 hours. */
const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
export const DEFAULT_DAYS = 30;
/** A year and a day: enough for a year-on-year chart, small enough for one answer. */
export const MAX_DAYS = 366;

/** An inclusive range of days (China Standard Time), and the instants it spans. */
export interface DayRange {
  from: string;
  to: string;
  /** `from` 00:00 CST. */
  start: Date;
  /** The day after `to`, 00:00 CST (exclusive). */
  end: Date;
}

/** The CST calendar day of an instant, YYYY-MM-DD. */
export function cstDay(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00 CST of a day. */
function cstMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - CST_OFFSET_MS);
}

function parseDay(input: string, field: string): string {
  const match = DAY.exec(input);
  // Date.parse accepts 2024-02-30 by rolling over: a real day reads back unchanged.
  if (
    !match ||
    Number.isNaN(Date.parse(`${input}T00:00:00Z`)) ||
    new Date(`${input}T00:00:00Z`).toISOString().slice(0, 10) !== input
  ) {
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      `"${input.slice(0, 16)}" is not a day: use YYYY-MM-DD`,
    );
  }
  return input;
}

/**
 * The days asked for: both ends given, or the missing ones defaulted to the
 * DEFAULT_DAYS days ending today (CST). `to` before `from`, or more than
 * MAX_DAYS days, is refused naming the field.
 */
export function dayRange(
  input: { from?: string; to?: string },
  today: Date,
  fields: { from: string; to: string },
): DayRange {
  const to = input.to ? parseDay(input.to, fields.to) : cstDay(today);
  const from = input.from
    ? parseDay(input.from, fields.from)
    : cstDay(new Date(cstMidnight(to).getTime() - (DEFAULT_DAYS - 1) * DAY_MS));
  const start = cstMidnight(from);
  const end = new Date(cstMidnight(to).getTime() + DAY_MS);
  const days = (end.getTime() - start.getTime()) / DAY_MS;
  if (days < 1)
    throw new ValidationError(ValidationErrorCode.OutOfRange, fields.to, `must not be before ${fields.from} (${from})`);
  if (days > MAX_DAYS)
    throw new ValidationError(
      ValidationErrorCode.OutOfRange,
      fields.from,
      `at most ${MAX_DAYS} days per request, asked for ${days}`,
    );
  return { from, to, start, end };
}

/** Every day of the range, in order. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let t = range.start.getTime(); t < range.end.getTime(); t += DAY_MS) days.push(cstDay(new Date(t)));
  return days;
}
