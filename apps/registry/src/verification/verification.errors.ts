import { ErrorKind, errorCodes } from '@app/domain';

export const VerificationError = errorCodes('VerificationError', {
  /** The transition is not allowed from the number's current status. */
  ILLEGAL_TRANSITION: ErrorKind.FailedPrecondition,
  /** The idempotency key was already used for a different verification. */
  KEY_REUSED: ErrorKind.AlreadyExists,
});
