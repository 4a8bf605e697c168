import { ErrorKind, errorCodes } from '@app/domain';

export const ReactivationError = errorCodes('ReactivationError', {
  /** The number is not one of this carrier's subscribers. */
  NOT_SUBSCRIBER: ErrorKind.NotFound,
  /** The idempotency key was already used for a different request. */
  KEY_REUSED: ErrorKind.AlreadyExists,
});
