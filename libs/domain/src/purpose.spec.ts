import { ValidationError, ValidationErrorCode } from './errors';
import { MAX_PURPOSE, validatePurpose } from './purpose';

describe(validatePurpose.name, () => {
  const why = 'the record is read (e.g. "customer complaint 2024-0117")';

  it('answers the purpose trimmed', () => {
    expect(validatePurpose('  customer call 17 ', why)).toBe('customer call 17');
  });

  it.each([undefined, '', '   '])('refuses a missing purpose (%p), saying what to give', (value) => {
    expect(() => validatePurpose(value, why)).toThrow(
      new ValidationError(
        ValidationErrorCode.Required,
        'purpose',
        'say why the record is read (e.g. "customer complaint 2024-0117"): it is audited',
      ),
    );
  });

  it('refuses a purpose longer than the audit log keeps', () => {
    expect(validatePurpose('x'.repeat(MAX_PURPOSE), why)).toHaveLength(MAX_PURPOSE);
    expect(() => validatePurpose('x'.repeat(MAX_PURPOSE + 1), why)).toThrow(
      new ValidationError(ValidationErrorCode.OutOfRange, 'purpose', 'at most 500 characters'),
    );
  });
});
