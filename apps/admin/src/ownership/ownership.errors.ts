import { ErrorKind, errorCodes } from '@app/domain';

export const OwnershipError = errorCodes('OwnershipError', {
  /** No carrier owns the number (a foreign number, an unallocated segment). */
  NO_OWNER: ErrorKind.NotFound,
  /** The idempotency key was already used for another number or carrier. */
  KEY_REUSED: ErrorKind.AlreadyExists,
  /** Portability applies to Chinese mobile numbers only. */
  NOT_PORTABLE: ErrorKind.InvalidArgument,
});
