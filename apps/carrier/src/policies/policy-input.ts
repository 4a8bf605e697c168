import { validatePolicy, ValidationError, ValidationErrorCode, type PolicyDocument } from '@app/domain';
import type { PolicyRef } from './policies.repository';

/** A policy document is a few kilobytes; anything far larger is a mistake, not a policy. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
export const MAX_REASON_LENGTH = 500;

const REF = /^([a-z][a-z0-9_-]{0,39})@([1-9]\d{0,8})$/;

/** `default@5` → { name: 'default', version: 5 }; the field is named when it is not one. */
export function parsePolicyRef(text: string | undefined, field = 'policy'): PolicyRef {
  if (!text)
    throw new ValidationError(
      ValidationErrorCode.Required,
      field,
      'name@version of a stored policy is required, e.g. default@1',
    );
  const match = REF.exec(text);
  if (!match)
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      `"${text.slice(0, 60)}" is not name@version, e.g. default@1`,
    );
  return { name: match[1], version: Number(match[2]) };
}

/**
 * A policy document from the wire: JSON, then every field checked by
 * validatePolicy; errors name the request field and the document's field,
 * e.g. `document: policy.ladder: must rise…`.
 */
export function parsePolicyDocument(json: string | undefined): PolicyDocument {
  if (!json)
    throw new ValidationError(ValidationErrorCode.Required, 'document', 'a policy document (JSON) is required');
  if (Buffer.byteLength(json, 'utf8') > MAX_DOCUMENT_BYTES) {
    throw new ValidationError(ValidationErrorCode.OutOfRange, 'document', `at most ${MAX_DOCUMENT_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ValidationError(ValidationErrorCode.Malformed, 'document', `is not JSON: ${(error as Error).message}`);
  }
  try {
    return validatePolicy(parsed);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(error.code, 'document', `${error.field}: ${error.reason}`);
  }
}

/** The reason a policy assignment is made: required, recorded and audited. */
export function requireReason(reason: string | undefined): string {
  const trimmed = (reason ?? '').trim();
  if (!trimmed)
    throw new ValidationError(
      ValidationErrorCode.Required,
      'reason',
      'say why the policy changes (e.g. "shadow run of default@2 for two weeks"): it is recorded',
    );
  if (trimmed.length > MAX_REASON_LENGTH)
    throw new ValidationError(ValidationErrorCode.OutOfRange, 'reason', `at most ${MAX_REASON_LENGTH} characters`);
  return trimmed;
}

/** name@version of a submitted document, when it says, for the audit line (never throws). */
export function policyLabelOf(json: string | undefined): string | undefined {
  if (!json || json.length > MAX_DOCUMENT_BYTES) return undefined;
  try {
    const { name, version } = JSON.parse(json) as { name?: unknown; version?: unknown };
    return typeof name === 'string' && typeof version === 'number' ? `${name}@${version}`.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
