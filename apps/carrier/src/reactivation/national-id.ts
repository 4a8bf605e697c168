import { createHmac } from 'node:crypto';
import { ValidationError, ValidationErrorCode } from '@app/domain';

/** A citizen identity number (GB 11643) that passed its check: held in memory only, never stored. */
export type NationalId = string & { readonly __brand: 'NationalId' };

/** 17 ASCII digits, then the check character (a digit or X). */
const FORMAT = /^[0-9]{17}[0-9X]$/;
/** ISO 7064 MOD 11-2: weight of each of the first 17 digits, and the check character of each remainder. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/**
 * Validates a national ID number as checked at the shop or by e-ID: 18 characters,
 * a lower-case x taken as X. Messages never repeat the number (they may be logged).
 */
export function parseNationalId(input: string | undefined, field: string): NationalId {
  if (!input)
    throw new ValidationError(ValidationErrorCode.Required, field, 'the national ID number checked is required');
  const id = input.length === 18 && input.endsWith('x') ? `${input.slice(0, 17)}X` : input;
  if (!FORMAT.test(id)) {
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      `must be 18 characters: 17 digits (0-9) and a check character (0-9 or X), got ${[...input].length} characters`,
    );
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * WEIGHTS[i];
  if (CHECK[sum % 11] !== id[17])
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      'the check character does not match (ISO 7064 MOD 11-2): mistyped?',
    );
  return id as NationalId;
}

/**
 * What is kept of a national ID: a keyed hash (HMAC-SHA256), so the same person
 * can be recognised without the number being recoverable, even by trying every
 * possible number, without the key; and the last four characters, for a clerk.
 */
export class NationalIdHasher {
  constructor(private readonly key: Buffer) {}

  hash(id: NationalId): string {
    return createHmac('sha256', this.key).update(id).digest('hex');
  }

  static lastFour(id: NationalId): string {
    return id.slice(-4);
  }
}

/** Runs of 15 to 18 ID characters (both generations of the number): what must never reach a log in clear. */
const ID_LIKE = /[0-9]{14,17}[0-9Xx]/g;

/** Free text (a reference) with anything shaped like a national ID number blanked, for the audit log. */
export function redactNationalIds(text: string): string {
  return text.replace(ID_LIKE, '[redacted]');
}
