import { auditDetail, auditTarget, auditText, escapeAuditText, unescapeAuditText } from './audit-text';

describe('escapeAuditText', () => {
  it('escapes NUL and every other control character as six visible characters, and the backslash itself', () => {
    expect(escapeAuditText('a\u0000b')).toBe('a\\u0000b');
    expect(escapeAuditText('tab\there\nnew\u001b[31m\u007f')).toBe('tab\\u0009here\\u000anew\\u001b[31m\\u007f');
    expect(escapeAuditText('C:\\path')).toBe('C:\\\\path');
    expect(escapeAuditText('plain 成都 +86191')).toBe('plain 成都 +86191');
  });

  it('escapes lone surrogates, keeps pairs', () => {
    expect(escapeAuditText('x\ud800y')).toBe('x\\ud800y');
    expect(escapeAuditText('x\udc00')).toBe('x\\udc00');
    expect(escapeAuditText('emoji 😀')).toBe('emoji 😀');
  });

  it.each(['a\u0000b', 'literal \\u0000 typed', '\\\\u0000\u0000', 'x\ud800\udc00\ud800', '\u0001\u001f\u007f done'])(
    'is reversible: %j',
    (original) => {
      expect(unescapeAuditText(escapeAuditText(original))).toBe(original);
    },
  );
});

describe('auditText', () => {
  it('cuts to the column size with an ellipsis, never inside an escape or a surrogate pair', () => {
    expect(auditText('abcdef', 6)).toBe('abcdef');
    expect(auditText('abcdefg', 6)).toBe('abcde…');
    expect(auditText('ab\u0000cd', 6)).toBe('ab…');
    expect(auditText('ab😀cd', 4)).toBe('ab…');
    expect(auditText('\u0000\u0000', 12)).toBe('\\u0000\\u0000');
    for (const cut of [auditText('x'.repeat(10) + '\u0000'.repeat(100), 500), auditText('😀'.repeat(400), 500)]) {
      expect(cut.length).toBeLessThanOrEqual(500);
      expect(cut.endsWith('…')).toBe(true);
    }
  });
});

describe('auditTarget', () => {
  it('stores a number in E.164 whichever form it came in, anything else escaped as given', () => {
    expect(auditTarget('19112345678')).toBe('+8619112345678');
    expect(auditTarget('+8619112345678')).toBe('+8619112345678');
    expect(auditTarget('+447700900123')).toBe('+447700900123');
    expect(auditTarget('1911234\u00005678')).toBe('1911234\\u00005678');
    expect(auditTarget('not a number at all, and far too long for the column')).toHaveLength(32);
  });
});

describe('auditDetail', () => {
  it('escapes strings and keys at any depth, as JSON would store them', () => {
    const detail = auditDetail({
      note: 'a\u0000b',
      nested: { 'k\u0000': ['x\u0001', 2, null, undefined, true] },
      skipped: undefined,
      big: 12n,
      when: new Date(0),
      nan: NaN,
    });
    expect(detail).toEqual({
      note: 'a\\u0000b',
      nested: { 'k\\u0000': ['x\\u0001', 2, null, null, true] },
      big: '12',
      when: '1970-01-01T00:00:00.000Z',
      nan: null,
    });
    // No JSON escape of NUL, which jsonb refuses: only the escaped backslash before it.
    expect(JSON.stringify(detail)).not.toMatch(/(?<!\\)\\u0000/);
    expect(auditDetail(undefined)).toEqual({});
  });
});
