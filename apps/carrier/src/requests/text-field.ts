import { hasControlCharacter, ValidationError, ValidationErrorCode } from '@app/domain';

/**
 * A free-text field of a write request, trimmed and bounded (as stored: the
 * columns are varchar(n)); `multiline` admits tabs and newlines (notes).
 */
export function textField(
  value: string | undefined,
  field: string,
  limits: { max: number; required: boolean; multiline?: boolean },
): string {
  const text = (value ?? '').trim();
  if (text === '') {
    if (limits.required) throw new ValidationError(ValidationErrorCode.Required, field, 'is required');
    return text;
  }
  if (text.length > limits.max)
    throw new ValidationError(
      ValidationErrorCode.OutOfRange,
      field,
      `at most ${limits.max} characters, got ${text.length}`,
    );
  if (hasControlCharacter(text, limits.multiline))
    throw new ValidationError(ValidationErrorCode.Malformed, field, 'must not contain control characters');
  return text;
}
