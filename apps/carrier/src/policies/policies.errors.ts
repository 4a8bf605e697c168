import { DomainError, ErrorKind } from '@app/domain';

export enum PoliciesErrorCode {
  /** A policy document with this name and version is stored already: versions are immutable. */
  VersionExists = 'VERSION_EXISTS',
  /** No stored policy has this name and version. */
  NotStored = 'NOT_STORED',
}

export class PoliciesError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: PoliciesErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = PoliciesError.kindOf(code);
  }

  private static kindOf(code: PoliciesErrorCode): ErrorKind {
    switch (code) {
      case PoliciesErrorCode.VersionExists:
        return ErrorKind.AlreadyExists;
      case PoliciesErrorCode.NotStored:
        return ErrorKind.NotFound;
    }
  }
}
