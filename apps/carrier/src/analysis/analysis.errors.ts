import { ErrorKind, errorCodes } from '@app/domain';

export const AnalysisError = errorCodes('AnalysisError', {
  /**
   * The engine cannot make its inputs durable now (the database is away, or the
   * engine is being rebuilt from what is durable after a failed write): nothing
   * of the call was applied, and the same call may be sent again.
   */
  EVIDENCE_UNAVAILABLE: ErrorKind.Unavailable,
  /**
   * Shard mode: the carrier's log (NATS JetStream) cannot take the entry now, or the shards did not all make it
   * durable in time. The entry may have been taken: sending the same call again is safe (events are deduplicated by
   * id, and a change of a step that is already made changes nothing).
   */
  LOG_UNAVAILABLE: ErrorKind.Unavailable,
});
