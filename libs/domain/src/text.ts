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
  const trail: (string | number)[] = [];
  const found = find(value, '', trail, 0);
  return found === NOT_FOUND ? undefined : pathOf(trail, naming, found === IN_KEY) || '(request)';
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

const NOT_FOUND = 0;
const IN_VALUE = 1;
const IN_KEY = 2;

/**
 * Whether a text in `value` (or a key) holds a control character; `trail` is
 * left holding the keys and indexes down to it. Every request passes through
 * here (an ingest batch holds thousands of fields), so nothing is built on the
 * way: no path, no converted name, unless something is found.
 */
function find(value: unknown, name: string, trail: (string | number)[], depth: number): number {
  if (typeof value === 'string') {
    // Nearly every text is clean: only one with a control character needs its field's name, to allow line breaks.
    if (!ANY_CONTROL.test(value)) return NOT_FOUND;
    return hasControlCharacter(value, MULTILINE_FIELDS.has(snakeCase(name))) ? IN_VALUE : NOT_FOUND;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return NOT_FOUND;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (typeof element !== 'string' && (typeof element !== 'object' || element === null)) continue;
      trail.push(i);
      const found = find(element, name, trail, depth + 1);
      if (found !== NOT_FOUND) return found;
      trail.pop();
    }
    return NOT_FOUND;
  }
  // Decoded messages and JSON bodies are plain objects;
  // anything else (bytes, dates, a stream's Observable) holds no text field.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return NOT_FOUND;
  for (const key of Object.keys(value)) {
    // A key is text the caller chose too (JSON bodies, map fields).
    if (ANY_CONTROL.test(key)) {
      trail.push(key);
      return IN_KEY;
    }
    const child = (value as Record<string, unknown>)[key];
    if (typeof child !== 'string' && (typeof child !== 'object' || child === null)) continue;
    trail.push(key);
    const found = find(child, key, trail, depth + 1);
    if (found !== NOT_FOUND) return found;
    trail.pop();
  }
  return NOT_FOUND;
}

/** `events[3].call.cell`; a key that holds the control character itself is quoted as sent. */
function pathOf(trail: readonly (string | number)[], naming: FieldNaming, lastIsKey: boolean): string {
  let path = '';
  for (let i = 0; i < trail.length; i++) {
    const segment = trail[i];
    if (typeof segment === 'number') path += `[${segment}]`;
    else {
      const quoted = lastIsKey && i === trail.length - 1;
      const field = quoted ? JSON.stringify(segment) : naming === 'snake_case' ? snakeCase(segment) : segment;
      path += path === '' ? field : `.${field}`;
    }
  }
  return path;
}

/** `idempotencyKey` → `idempotency_key`, as the field is named in proto/. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Whether `text` holds a UTF-16 code unit that is half of no pair (an id or a
 * cell may): such a text has no UTF-8 form, TextEncoder would write U+FFFD.
 */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return true;
    i++;
  }
  return false;
}
