import type { Timestamp } from '@app/contracts';

/**
 * A fraud.admin.v1 message as the JSON API sends it: proto3's JSON mapping
 * (camelCase fields, enums by name, Timestamps as RFC 3339 strings), except
 * that int64 stays a JSON number (the counts never approach 2^53).
 */
export type Json<T> = T extends Timestamp
  ? string
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

function isTimestamp(value: object): value is Timestamp {
  const keys = Object.keys(value);
  return (
    keys.length === 2 &&
    'seconds' in value &&
    'nanos' in value &&
    typeof value.seconds === 'number' &&
    typeof value.nanos === 'number'
  );
}

export function protoJson<T>(message: T): Json<T> {
  return convert(message) as Json<T>;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (typeof value !== 'object' || value === null) return value;
  if (isTimestamp(value)) return new Date(value.seconds * 1000 + Math.floor(value.nanos / 1_000_000)).toISOString();
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, convert(field)]));
}
