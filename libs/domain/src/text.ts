import { ValidationError, ValidationErrorCode } from './errors';

/** C0 and C1 control characters and DEL, tab and line breaks included. */
// eslint-disable-next-line no-control-regex -- finding control characters is what it is for
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, but tab, line feed and carriage return: what a multi-line note may hold. */
// eslint-disable-next-line no-control-regex -- finding control characters is what it is for
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Free-text fields that may span lines (tabs, line feeds, carriage returns), by
 * their proto name: police notes, reasons, acknowledgement details, policy
 * documents. Every other text field is one line of printable characters.
 */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set([
  'note',
  'reason',
  'detail',
  'ack_detail',
  'document',
  'summary',
]);

export function hasControlCharacter(text: string, multiline = false): boolean {
  return (multiline ? CONTROL_BUT_LINE_BREAKS : ANY_CONTROL).test(text);
}

/** How a field path is spelled in errors: proto's snake_case (gRPC) or the keys as sent (JSON over HTTP). */
export type FieldNaming = 'snake_case' | 'as_sent';

const MAX_DEPTH = 32;

/**
 * The first text field of a request (a decoded message or a JSON body) holding a
 * control character, as a path such as `events[3].call.cell`, or undefined.
 * Bytes fields, numbers, booleans and objects that are not plain data (a
 * stream's Observable) are skipped.
 */
export function controlCharacterField(value: unknown, naming: FieldNaming = 'snake_case'): string | undefined {
  return search(value, '', '', naming, 0);
}

/** Throws INVALID_ARGUMENT naming the first text field of the request that holds a control character. */
export function assertNoControlCharacters(value: unknown, naming: FieldNaming = 'snake_case'): void {
  const field = controlCharacterField(value, naming);
  if (field !== undefined)
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      'must not contain control characters (such as NUL)',
    );
}

function search(value: unknown, path: string, name: string, naming: FieldNaming, depth: number): string | undefined {
  if (typeof value === 'string')
    return hasControlCharacter(value, MULTILINE_FIELDS.has(name)) ? path || '(request)' : undefined;
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = search(value[i], `${path}[${i}]`, name, naming, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  // Decoded messages and JSON bodies are plain objects;
  // anything else (bytes, dates, a stream's Observable) holds no text field.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  for (const key of Object.keys(value)) {
    // A key is text the caller chose too (JSON bodies, map fields).
    if (hasControlCharacter(key)) return `${path === '' ? '' : `${path}.`}${JSON.stringify(key)}`;
    const field = naming === 'snake_case' ? snakeCase(key) : key;
    const child = path === '' ? field : `${path}.${field}`;
    const found = search((value as Record<string, unknown>)[key], child, snakeCase(key), naming, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `idempotencyKey` → `idempotency_key`, as the field is named in proto/. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
