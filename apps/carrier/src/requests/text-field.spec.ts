import { ValidationError, ValidationErrorCode } from '@app/domain';
import { textField } from './text-field';

describe(textField.name, () => {
  const line = { max: 10, required: true };

  it('trims and bounds a field, naming it when wrong', () => {
    expect(textField('  SF Chengdu ', 'attested_by', { max: 12, required: true })).toBe('SF Chengdu');
    expect(textField(undefined, 'note', { max: 10, required: false })).toBe('');
    expect(() => textField('   ', 'attested_by', line)).toThrow(
      new ValidationError(ValidationErrorCode.Required, 'attested_by', 'is required'),
    );
    expect(() => textField('x'.repeat(11), 'attested_by', line)).toThrow('attested_by: at most 10 characters, got 11');
  });

  it('refuses control characters, and line breaks outside notes', () => {
    expect(() => textField('a\u0000b', 'reference', line)).toThrow('reference: must not contain control characters');
    expect(() => textField('a\nb', 'reference', line)).toThrow('reference: must not contain control characters');
    expect(textField('a\nb\tc', 'note', { max: 10, required: false, multiline: true })).toBe('a\nb\tc');
    expect(() => textField('a\u001bb', 'note', { max: 10, required: false, multiline: true })).toThrow(
      'note: must not contain control characters',
    );
  });
});
