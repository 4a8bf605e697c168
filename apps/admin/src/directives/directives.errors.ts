import { DomainError, ErrorKind } from '@app/domain';

export enum DirectivesErrorCode {
  /** No carrier owns the number, so there is no one to direct. */
  NoOwner = 'NO_OWNER',
  /** The idempotency key was already used for a directive with other content. */
  KeyReused = 'KEY_REUSED',
}

export class DirectivesError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: DirectivesErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = DirectivesError.kindOf(code);
  }

  private static kindOf(code: DirectivesErrorCode): ErrorKind {
    switch (code) {
      case DirectivesErrorCode.NoOwner:
        return ErrorKind.NotFound;
      case DirectivesErrorCode.KeyReused:
        return ErrorKind.AlreadyExists;
    }
  }
}
