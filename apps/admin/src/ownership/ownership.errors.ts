import { DomainError, ErrorKind } from '@app/domain';

export enum OwnershipErrorCode {
  /** No carrier owns the number (a foreign number, an unallocated segment). */
  NoOwner = 'NO_OWNER',
  /** The idempotency key was already used for another number or carrier. */
  KeyReused = 'KEY_REUSED',
  /** Portability applies to Chinese mobile numbers only. */
  NotPortable = 'NOT_PORTABLE',
}

export class OwnershipError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: OwnershipErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = OwnershipError.kindOf(code);
  }

  private static kindOf(code: OwnershipErrorCode): ErrorKind {
    switch (code) {
      case OwnershipErrorCode.NoOwner:
        return ErrorKind.NotFound;
      case OwnershipErrorCode.KeyReused:
        return ErrorKind.AlreadyExists;
      case OwnershipErrorCode.NotPortable:
        return ErrorKind.InvalidArgument;
    }
  }
}
