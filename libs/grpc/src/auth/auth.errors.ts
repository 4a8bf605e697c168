import { DomainError, ErrorKind } from '@app/domain';

export enum AuthErrorCode {
  MissingToken = 'MISSING_TOKEN',
  InvalidToken = 'INVALID_TOKEN',
  /** A stream outlived the token it was opened with. */
  TokenExpired = 'TOKEN_EXPIRED',
  RoleNotAllowed = 'ROLE_NOT_ALLOWED',
}

/** A refused call: no, bad or expired token (UNAUTHENTICATED), or a role or scope the RPC does not admit (PERMISSION_DENIED). */
export class AuthError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.kind = code === AuthErrorCode.RoleNotAllowed ? ErrorKind.PermissionDenied : ErrorKind.Unauthenticated;
  }
}
