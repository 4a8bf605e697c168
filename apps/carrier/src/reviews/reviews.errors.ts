import { ErrorKind, errorCodes } from '@app/domain';

export const ReviewsError = errorCodes('ReviewsError', {
  /** No review task has the id. */
  TASK_NOT_FOUND: ErrorKind.NotFound,
  /** The task was decided (or closed) before: a person's answer is given once. */
  ALREADY_DECIDED: ErrorKind.FailedPrecondition,
  /** The request id was already used for a different decision. */
  KEY_REUSED: ErrorKind.AlreadyExists,
});
