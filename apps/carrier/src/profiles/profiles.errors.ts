import { DomainError, ErrorKind } from '@app/domain';

export enum ProfileErrorCode {
  /** The number is not one of this carrier's subscribers. */
  NotSubscriber = 'NOT_SUBSCRIBER',
  /** The idempotency key was already used for a different declaration. */
  KeyReused = 'KEY_REUSED',
}

export class ProfileError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: ProfileErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = ProfileError.kindOf(code);
  }

  private static kindOf(code: ProfileErrorCode): ErrorKind {
    switch (code) {
      case ProfileErrorCode.NotSubscriber:
        return ErrorKind.NotFound;
      case ProfileErrorCode.KeyReused:
        return ErrorKind.AlreadyExists;
    }
  }
}
