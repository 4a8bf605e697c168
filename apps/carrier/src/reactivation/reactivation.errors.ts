import { DomainError, ErrorKind } from '@app/domain';

export enum ReactivationErrorCode {
  /** The number is not one of this carrier's subscribers. */
  NotSubscriber = 'NOT_SUBSCRIBER',
  /** The idempotency key was already used for a different request. */
  KeyReused = 'KEY_REUSED',
}

export class ReactivationError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: ReactivationErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = ReactivationError.kindOf(code);
  }

  private static kindOf(code: ReactivationErrorCode): ErrorKind {
    switch (code) {
      case ReactivationErrorCode.NotSubscriber:
        return ErrorKind.NotFound;
      case ReactivationErrorCode.KeyReused:
        return ErrorKind.AlreadyExists;
    }
  }
}
