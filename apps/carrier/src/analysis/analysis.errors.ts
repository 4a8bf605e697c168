import { ErrorKind, errorCodes } from '@app/domain';

export const AnalysisError = errorCodes('AnalysisError', {
  /**
   * The engine cannot make its inputs durable now (the database is away, or the
   * engine is being rebuilt from what is durable after a failed write): nothing
   * of the call was applied, and the same call may be sent again.
   */
  EVIDENCE_UNAVAILABLE: ErrorKind.Unavailable,
});
