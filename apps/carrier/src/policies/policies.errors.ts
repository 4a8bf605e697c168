import { ErrorKind, errorCodes } from '@app/domain';

export const PoliciesError = errorCodes('PoliciesError', {
  /** A policy document with this name and version is stored already: versions are immutable. */
  VERSION_EXISTS: ErrorKind.AlreadyExists,
  /** No stored policy has this name and version. */
  NOT_STORED: ErrorKind.NotFound,
});
