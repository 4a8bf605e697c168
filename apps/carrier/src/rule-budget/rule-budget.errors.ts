import { ErrorKind, errorCodes } from '@app/domain';

export const RuleBudgetError = errorCodes('RuleBudgetError', {
  /** The reason is not demoted on any running ladder of the policy: there is nothing to re-enable. */
  NOT_DEMOTED: ErrorKind.FailedPrecondition,
});
