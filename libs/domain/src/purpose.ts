import { ValidationError, ValidationErrorCode } from './errors';

export const MAX_PURPOSE = 500;

/**
 * The stated purpose of a read of a number's data, written to the audit log:
 * trimmed, required (the refusal says `say why ${why}: it is audited`), and at
 * most MAX_PURPOSE characters.
 */
export function validatePurpose(value: string | undefined, why: string): string {
  const purpose = (value ?? '').trim();
  if (!purpose) throw new ValidationError(ValidationErrorCode.Required, 'purpose', `say why ${why}: it is audited`);
  if (purpose.length > MAX_PURPOSE)
    throw new ValidationError(ValidationErrorCode.OutOfRange, 'purpose', `at most ${MAX_PURPOSE} characters`);
  return purpose;
}
