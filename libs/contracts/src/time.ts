import { ValidationError, ValidationErrorCode } from '@app/domain';
import type { Timestamp } from './generated/google/protobuf/timestamp';

export function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

export function toOptionalTimestamp(date: Date | null | undefined): Timestamp | undefined {
  return date ? toTimestamp(date) : undefined;
}

/** A Timestamp from the wire as a Date (millisecond precision); absent stays undefined. */
export function fromTimestamp(ts: Timestamp | undefined | null, field: string): Date | undefined {
  if (!ts) return undefined;
  const seconds = Number(ts.seconds);
  const nanos = Number(ts.nanos ?? 0);
  if (!Number.isFinite(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new ValidationError(ValidationErrorCode.Malformed, field, 'is not a valid timestamp');
  }
  const date = new Date(seconds * 1000 + Math.floor(nanos / 1_000_000));
  // Protobuf's range: 0001-01-01 to 9999-12-31.
  if (Number.isNaN(date.getTime()) || seconds < -62_135_596_800 || seconds > 253_402_300_799) {
    throw new ValidationError(ValidationErrorCode.OutOfRange, field, 'is outside the timestamp range');
  }
  return date;
}
