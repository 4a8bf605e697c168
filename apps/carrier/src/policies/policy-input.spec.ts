import { DEFAULT_POLICY, ValidationError } from '@app/domain';
import { MAX_DOCUMENT_BYTES, parsePolicyDocument, parsePolicyRef, policyLabelOf, requireReason } from './policy-input';

const invalid = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe(parsePolicyDocument.name, () => {
  it('reads a valid document', () => {
    expect(parsePolicyDocument(JSON.stringify({ ...DEFAULT_POLICY, version: 2 }))).toEqual({
      ...DEFAULT_POLICY,
      version: 2,
    });
  });

  it('names the request field and the document field at fault', () => {
    const ladder = { ...DEFAULT_POLICY.ladder, warn: 0.9 };
    expect(invalid(() => parsePolicyDocument(JSON.stringify({ ...DEFAULT_POLICY, ladder }))).message).toBe(
      'document: policy.ladder: must rise: monitor ≤ warn ≤ restrict ≤ suspend',
    );
    expect(
      invalid(() => parsePolicyDocument(JSON.stringify({ ...DEFAULT_POLICY, weights: { CALL_BURSTS: 0.5 } }))).message,
    ).toBe('document: policy.weights.CALL_BURSTS: is not a reason code');
    expect(invalid(() => parsePolicyDocument('[]')).message).toBe('document: policy: must be a JSON object');
  });

  it('refuses what is not JSON, missing or far too large', () => {
    expect(invalid(() => parsePolicyDocument('{"name": ')).message).toMatch(/^document: is not JSON: /);
    expect(invalid(() => parsePolicyDocument('')).field).toBe('document');
    expect(invalid(() => parsePolicyDocument(' '.repeat(MAX_DOCUMENT_BYTES + 1))).message).toBe(
      `document: at most ${MAX_DOCUMENT_BYTES} bytes`,
    );
  });
});

describe(parsePolicyRef.name, () => {
  it('reads name@version', () => {
    expect(parsePolicyRef('default@12')).toEqual({ name: 'default', version: 12 });
  });

  it.each(['default', '@1', 'default@0', 'default@x', 'Default@1', 'default@1 '])(
    'refuses %j, naming the field',
    (text) => {
      expect(invalid(() => parsePolicyRef(text)).field).toBe('policy');
    },
  );

  it('requires one', () => {
    expect(invalid(() => parsePolicyRef('')).message).toMatch(/^policy: name@version of a stored policy is required/);
  });
});

describe(requireReason.name, () => {
  it('keeps the reason, trimmed, and refuses an empty or overlong one', () => {
    expect(requireReason('  shadow run  ')).toBe('shadow run');
    expect(invalid(() => requireReason('   ')).field).toBe('reason');
    expect(invalid(() => requireReason('x'.repeat(501))).field).toBe('reason');
  });
});

describe(policyLabelOf.name, () => {
  it('reads name@version for the audit line, and never throws', () => {
    expect(policyLabelOf(JSON.stringify({ name: 'default', version: 2 }))).toBe('default@2');
    expect(policyLabelOf('{oops')).toBeUndefined();
    expect(policyLabelOf(JSON.stringify({ name: 'default' }))).toBeUndefined();
    expect(policyLabelOf(undefined)).toBeUndefined();
  });
});
