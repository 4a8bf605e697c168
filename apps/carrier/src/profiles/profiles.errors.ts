import { ErrorKind, errorCodes } from '@app/domain';

export const ProfileError = errorCodes('ProfileError', {
  /** The number is not one of this carrier's subscribers. */
  NOT_SUBSCRIBER: ErrorKind.NotFound,
  /** The idempotency key was already used for a different declaration. */
  KEY_REUSED: ErrorKind.AlreadyExists,
});
