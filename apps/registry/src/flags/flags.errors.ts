import { DomainError, ErrorKind } from '@app/domain';

export enum FlagsErrorCode {
  /** The idempotency key was already used for a flag with other content. */
  KeyReused = 'KEY_REUSED',
  /** The flag's source is not the caller's own. */
  SourceNotCaller = 'SOURCE_NOT_CALLER',
}

export class FlagsError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: FlagsErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = FlagsError.kindOf(code);
  }

  private static kindOf(code: FlagsErrorCode): ErrorKind {
    switch (code) {
      case FlagsErrorCode.KeyReused:
        return ErrorKind.AlreadyExists;
      case FlagsErrorCode.SourceNotCaller:
        return ErrorKind.PermissionDenied;
    }
  }
}
