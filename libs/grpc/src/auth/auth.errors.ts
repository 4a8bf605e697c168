import { ErrorKind, errorCodes, type FeatureError } from '@app/domain';

/**
 * A refused call: no, bad or expired token (UNAUTHENTICATED),
 * or a role or scope the RPC does not admit (PERMISSION_DENIED).
 */
export const AuthError = errorCodes('AuthError', {
  MISSING_TOKEN: ErrorKind.Unauthenticated,
  INVALID_TOKEN: ErrorKind.Unauthenticated,
  /** A stream outlived the token it was opened with. */
  TOKEN_EXPIRED: ErrorKind.Unauthenticated,
  ROLE_NOT_ALLOWED: ErrorKind.PermissionDenied,
});
export type AuthError = FeatureError<keyof typeof AuthError.kinds>;
