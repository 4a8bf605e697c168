import { ErrorKind, errorCodes } from '@app/domain';

export const FlagsError = errorCodes('FlagsError', {
  /** The idempotency key was already used for a flag with other content. */
  KEY_REUSED: ErrorKind.AlreadyExists,
  /** The flag's source is not the caller's own. */
  SOURCE_NOT_CALLER: ErrorKind.PermissionDenied,
});
