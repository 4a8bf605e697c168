import { ErrorKind, errorCodes } from '@app/domain';

export const CellsError = errorCodes('CellsError', {
  /** The idempotency key was already used for another change of the list. */
  KEY_REUSED: ErrorKind.AlreadyExists,
  /** The cell to remove is not on the current list. */
  NOT_LISTED: ErrorKind.NotFound,
});
