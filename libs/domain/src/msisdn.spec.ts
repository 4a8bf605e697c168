import { ValidationError } from './errors';
import { isMsisdn, normaliseMsisdn } from './msisdn';

describe(normaliseMsisdn.name, () => {
  it.each([
    ['19112345678', '+8619112345678'],
    ['+8619112345678', '+8619112345678'],
    ['13800000002', '+8613800000002'],
    ['+14155550123', '+14155550123'],
  ])('accepts %s as %s', (input, expected) => {
    expect(normaliseMsisdn(input, 'msisdn')).toBe(expected);
    expect(isMsisdn(input)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['full-width digits', '１９１１２３４５６７８'],
    ['letters', '1911234567a'],
    ['too short', '1911234567'],
    ['too long', '191123456789'],
    ['not a mobile prefix', '12112345678'],
    ['spaces', '191 1234 5678'],
    ['+86 with wrong length', '+861911234567'],
    ['a leading zero country code', '+0123456789'],
    ['dashes', '191-1234-5678'],
  ])('refuses %s, naming the field', (_label, input) => {
    expect(isMsisdn(input)).toBe(false);
    const error = (() => {
      try {
        normaliseMsisdn(input, 'flags[2].msisdn');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('flags[2].msisdn');
    expect((error as ValidationError).message).toMatch(/^flags\[2\]\.msisdn: /);
  });

  it('refuses undefined and null as required', () => {
    expect(() => normaliseMsisdn(undefined, 'msisdn')).toThrow('msisdn: a phone number is required');
    expect(() => normaliseMsisdn(null, 'msisdn')).toThrow('msisdn: a phone number is required');
  });

  it('does not echo control characters back', () => {
    expect(() => normaliseMsisdn('1\n2"', 'msisdn')).toThrow('"1\\u000a2\\u0022"');
  });
});
