import { ErrorKind, errorCodes } from '@app/domain';

export const DirectivesError = errorCodes('DirectivesError', {
  /** No carrier owns the number, so there is no one to direct. */
  NO_OWNER: ErrorKind.NotFound,
  /** The idempotency key was already used for a directive with other content. */
  KEY_REUSED: ErrorKind.AlreadyExists,
});
