import { ValidationError, ValidationErrorCode } from './errors';

/** A phone number in E.164, e.g. `+8619112345678`. */
export type Msisdn = string & { readonly __brand: 'Msisdn' };

const E164_CN = /^\+861[3-9]\d{9}$/;
const NATIONAL_CN = /^1[3-9]\d{9}$/;
const E164_OTHER = /^\+[1-9]\d{6,14}$/;

/**
 * Normalises a number to E.164. Accepts E.164 and the Chinese national
 * 11-digit mobile form; anything else (full-width digits, letters, spaces,
 * wrong length, empty) is refused with the field named.
 */
export function normaliseMsisdn(input: string | undefined | null, field: string): Msisdn {
  if (input === undefined || input === null || input === '') {
    throw new ValidationError(ValidationErrorCode.Required, field, 'a phone number is required');
  }
  if (NATIONAL_CN.test(input)) return `+86${input}` as Msisdn;
  if (input.startsWith('+86')) {
    if (E164_CN.test(input)) return input as Msisdn;
  } else if (E164_OTHER.test(input)) {
    return input as Msisdn;
  }
  throw new ValidationError(
    ValidationErrorCode.Malformed,
    field,
    `"${printable(input)}" is not a phone number: use E.164 (+8619112345678) or 11 national digits (19112345678)`,
  );
}

const SERVICE_NUMBER = /^\d{3,6}$/;

/**
 * True for a short service number as dialled (3 to 6 digits: 110, 12110,
 * 10086, 96110): a callee, never a subscriber's number.
 */
export function isServiceNumber(input: string): boolean {
  return SERVICE_NUMBER.test(input);
}

/** True when the input would be accepted by normaliseMsisdn. */
export function isMsisdn(input: string): boolean {
  return NATIONAL_CN.test(input) || E164_CN.test(input) || (!input.startsWith('+86') && E164_OTHER.test(input));
}

function printable(input: string): string {
  const shown = input.length > 32 ? `${input.slice(0, 32)}…` : input;
  // eslint-disable-next-line no-control-regex -- finding control characters is what it is for
  return shown.replace(/[\u0000-\u001f"\\]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
