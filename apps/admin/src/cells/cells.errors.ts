import { DomainError, ErrorKind } from '@app/domain';

export enum CellsErrorCode {
  /** The idempotency key was already used for another change of the list. */
  KeyReused = 'KEY_REUSED',
  /** The cell to remove is not on the current list. */
  NotListed = 'NOT_LISTED',
}

export class CellsError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: CellsErrorCode,
    message: string,
    field?: string,
  ) {
    super(message, field);
    this.kind = CellsError.kindOf(code);
  }

  private static kindOf(code: CellsErrorCode): ErrorKind {
    switch (code) {
      case CellsErrorCode.KeyReused:
        return ErrorKind.AlreadyExists;
      case CellsErrorCode.NotListed:
        return ErrorKind.NotFound;
    }
  }
}
