import { ValidationError, ValidationErrorCode } from '@app/domain';

/** What Express gives a handler for `?a=1&a=2&b[c]=3`: strings, arrays, objects. */
export type QueryValues = Record<string, unknown>;

/** One optional text parameter of the query string; repeated or nested is refused. */
export function optionalQuery(query: QueryValues, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string')
    throw new ValidationError(ValidationErrorCode.Malformed, name, 'must be given once, as text');
  return value;
}

/** The JSON body as an object; anything else (an array, a bare string, nothing) is refused. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'body',
      'must be a JSON object (content-type: application/json)',
    );
  }
  return body as Record<string, unknown>;
}

/** A text field of a JSON body, required or not. */
export function bodyString(body: Record<string, unknown>, name: string, required: true): string;
export function bodyString(body: Record<string, unknown>, name: string, required: false): string | undefined;
export function bodyString(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ValidationError(ValidationErrorCode.Required, name, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') throw new ValidationError(ValidationErrorCode.Malformed, name, 'must be a string');
  return value;
}

/** A whole-number field of a JSON body (or a query parameter's text), within bounds. */
export function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number))
    throw new ValidationError(ValidationErrorCode.Malformed, name, 'must be a whole number');
  if (number < min || number > max)
    throw new ValidationError(ValidationErrorCode.OutOfRange, name, `must be between ${min} and ${max}`);
  return number;
}
