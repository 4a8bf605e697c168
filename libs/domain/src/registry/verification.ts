import { ValidationError, ValidationErrorCode } from '../errors';
import { normaliseMsisdn, type Msisdn } from '../msisdn';
import { contentHash, validateIdempotencyKey } from './flag';
import { VerificationOutcome } from './number-status';

export interface VerificationInput {
  idempotencyKey: string;
  msisdn: string;
  outcome: VerificationOutcome | undefined;
  caseId: string;
  note: string;
}

export interface Verification {
  idempotencyKey: string;
  msisdn: Msisdn;
  outcome: VerificationOutcome;
  caseId: string;
  note: string;
  contentHash: string;
}

const CASE_ID = /^[\x21-\x7e]{1,64}$/;
const MAX_NOTE = 4000;

export function validateVerification(input: VerificationInput): Verification {
  const idempotencyKey = validateIdempotencyKey(input.idempotencyKey, 'idempotency_key');
  const msisdn = normaliseMsisdn(input.msisdn, 'msisdn');
  if (!input.outcome)
    throw new ValidationError(ValidationErrorCode.Required, 'outcome', 'must be CONFIRMED or CLEARED');
  if (!input.caseId)
    throw new ValidationError(ValidationErrorCode.Required, 'case_id', 'the police case id is required');
  if (!CASE_ID.test(input.caseId))
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'case_id',
      'must be 1 to 64 printable ASCII characters without spaces',
    );
  const note = (input.note ?? '').trim();
  if (note.length > MAX_NOTE)
    throw new ValidationError(ValidationErrorCode.OutOfRange, 'note', `at most ${MAX_NOTE} characters`);
  const verification = { idempotencyKey, msisdn, outcome: input.outcome, caseId: input.caseId, note };
  return { ...verification, contentHash: contentHash(verification) };
}
