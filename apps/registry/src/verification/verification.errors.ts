import { DomainError, ErrorKind } from '@app/domain';

export enum VerificationErrorCode {
  /** The transition is not allowed from the number's current status. */
  IllegalTransition = 'ILLEGAL_TRANSITION',
  /** The idempotency key was already used for a different verification. */
  KeyReused = 'KEY_REUSED',
}

export class VerificationError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: VerificationErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = VerificationError.kindOf(code);
  }

  private static kindOf(code: VerificationErrorCode): ErrorKind {
    switch (code) {
      case VerificationErrorCode.IllegalTransition:
        return ErrorKind.FailedPrecondition;
      case VerificationErrorCode.KeyReused:
        return ErrorKind.AlreadyExists;
    }
  }
}
