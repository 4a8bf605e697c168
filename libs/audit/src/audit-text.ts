import { isMsisdn, normaliseMsisdn } from '@app/domain';

/**
 * An audit line records what a caller sent, whatever bytes it holds, and must
 * still be writable and readable: PostgreSQL refuses NUL in text and `\u0000`
 * in jsonb, a lone surrogate in jsonb, and control characters garble whoever
 * reads the log. So every text of a line (columns, and strings and keys inside
 * `detail`) is stored escaped, reversibly:
 *
 * - `\` becomes `\\`;
 * - a control character (U+0000 to U+001F, U+007F) or a lone surrogate
 *   becomes `\u` and four hex digits, e.g. NUL is the six characters `\u0000`.
 *
 * Everything else is kept as is. `unescapeAuditText` gives the original back.
 */
export function escapeAuditText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let escaped = '';
  for (const piece of escapedPieces(value)) escaped += piece;
  return escaped;
}

/** The original text of an escaped one (for readers of the log). */
export function unescapeAuditText(escaped: string): string {
  return escaped.replace(/\\(\\|u[0-9a-f]{4})/g, (_, code: string) =>
    code === '\\' ? '\\' : String.fromCharCode(parseInt(code.slice(1), 16)),
  );
}

/**
 * Escaped and cut to `max` characters (a column's size), never inside an
 * escape or a surrogate pair; a cut text ends with `…`.
 */
export function auditText(value: string, max: number): string {
  if (value.length <= max && !NEEDS_ESCAPE.test(value)) return value;
  const pieces = escapedPieces(value);
  let length = 0;
  for (const piece of pieces) length += piece.length;
  if (length <= max) return pieces.join('');
  let clipped = '';
  for (const piece of pieces) {
    if (clipped.length + piece.length > max - 1) break;
    clipped += piece;
  }
  return `${clipped}…`;
}

/** The longest target: an E.164 number fits in 16. */
export const AUDIT_TARGET_MAX = 32;

/**
 * The target as stored and searched: a phone number in E.164 whichever form it
 * came in (`19112345678` and `+8619112345678` are one number), anything else
 * escaped as given.
 */
export function auditTarget(value: string): string {
  return isMsisdn(value) ? normaliseMsisdn(value, 'target') : auditText(value, AUDIT_TARGET_MAX);
}

/**
 * `detail` as JSON that survives jsonb unchanged: every string and key
 * escaped, and what JSON.stringify would drop or change already dropped or
 * changed (undefined, functions, NaN, dates via toJSON), bigints as strings.
 * The line's hash covers exactly this, which is what is stored and read back.
 */
export function auditDetail(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  const json = toAuditJson(detail ?? {});
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? json : { value: json };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function toAuditJson(value: unknown, seen: Set<object> = new Set()): Json {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return escapeAuditText(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object': {
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return toAuditJson(withJson.toJSON(), seen);
      if (seen.has(value)) return '[circular]';
      seen.add(value);
      try {
        if (Array.isArray(value))
          return value.map((item) =>
            item === undefined || typeof item === 'function' || typeof item === 'symbol'
              ? null
              : toAuditJson(item, seen),
          );
        const object: { [key: string]: Json } = {};
        for (const [key, item] of Object.entries(value)) {
          if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
          object[escapeAuditText(key)] = toAuditJson(item, seen);
        }
        return object;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return null;
  }
}

// eslint-disable-next-line no-control-regex -- finding control characters is what it is for
const NEEDS_ESCAPE = /[\\\u0000-\u001f\u007f\ud800-\udfff]/;

/** Each character of `value` as stored: itself, or its escape. */
function escapedPieces(value: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x5c) {
      pieces.push('\\\\');
    } else if (code < 0x20 || code === 0x7f) {
      pieces.push(unicodeEscape(code));
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pieces.push(value.slice(i, i + 2));
        i++;
      } else {
        pieces.push(unicodeEscape(code));
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      pieces.push(unicodeEscape(code));
    } else {
      pieces.push(value[i]);
    }
  }
  return pieces;
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
