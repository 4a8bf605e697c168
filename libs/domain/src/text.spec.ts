import { ValidationError } from './errors';
import { assertNoControlCharacters, controlCharacterField, hasControlCharacter, snakeCase } from './text';

describe(controlCharacterField.name, () => {
  it('finds nothing in clean requests, whatever their shape', () => {
    expect(
      controlCharacterField({
        msisdn: '19112345678',
        purpose: '客户来电 2024-0117',
        page: { pageSize: 10 },
        flag: true,
      }),
    ).toBeUndefined();
    expect(controlCharacterField({ note: 'line one\nline two\twith a tab\r\n' })).toBeUndefined();
    expect(controlCharacterField({ evidence: Buffer.from([0, 1, 2]), at: new Date(0) })).toBeUndefined();
    expect(controlCharacterField(undefined)).toBeUndefined();
  });

  it('names the first field holding a control character, in proto spelling', () => {
    expect(controlCharacterField({ msisdn: '1391234\u00005678' })).toBe('msisdn');
    expect(controlCharacterField({ idempotencyKey: 'k\u0007' })).toBe('idempotency_key');
    expect(controlCharacterField({ events: [{ call: { cell: 'ok' } }, { call: { cell: '460\u0000' } }] })).toBe(
      'events[1].call.cell',
    );
    expect(controlCharacterField({ msisdns: ['19112345678', '1\u009b'] })).toBe('msisdns[1]');
  });

  it('keeps the keys as sent for JSON bodies', () => {
    expect(controlCharacterField({ idempotencyKey: 'k\u0000' }, 'as_sent')).toBe('idempotencyKey');
  });

  it('admits line breaks only in multi-line fields', () => {
    expect(controlCharacterField({ purpose: 'a\nb' })).toBe('purpose');
    expect(controlCharacterField({ caseId: 'a\tb' })).toBe('case_id');
    expect(controlCharacterField({ reason: 'a\nb' })).toBeUndefined();
    expect(controlCharacterField({ reason: 'a\u0000b' })).toBe('reason');
    expect(controlCharacterField({ ack: { detail: 'a\u001bb' } })).toBe('ack.detail');
  });

  it('treats keys as text too, and shows a bad one escaped', () => {
    expect(controlCharacterField({ 'a\u0000': 'x' }, 'as_sent')).toBe('"a\\u0000"');
  });
});

describe(assertNoControlCharacters.name, () => {
  it('throws INVALID_ARGUMENT naming the field', () => {
    expect(() => assertNoControlCharacters({ purpose: 'a\u0000b' })).toThrow(ValidationError);
    expect(() => assertNoControlCharacters({ purpose: 'a\u0000b' })).toThrow(
      'purpose: must not contain control characters',
    );
  });
});

describe(hasControlCharacter.name, () => {
  it('covers C0, DEL and C1, and line breaks unless multi-line', () => {
    for (const c of ['\u0000', '\u0008', '\u000b', '\u001f', '\u007f', '\u0085', '\u009f'])
      expect(hasControlCharacter(`a${c}`, true)).toBe(true);
    for (const c of ['\t', '\n', '\r']) {
      expect(hasControlCharacter(`a${c}`)).toBe(true);
      expect(hasControlCharacter(`a${c}`, true)).toBe(false);
    }
    expect(hasControlCharacter('é中文 ‮')).toBe(false);
  });
});

it(snakeCase.name, () => {
  expect(snakeCase('verificationReference')).toBe('verification_reference');
});
