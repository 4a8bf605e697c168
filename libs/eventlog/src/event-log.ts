import { DomainError, ErrorKind } from '@app/domain';

/**
 * A carrier's partitioned, durable event log: the journal of its shards (docs/eventlog.md).
 *
 * Any process publishes a batch of validated events to the partition of the numbers it touches (`partitionOf`); the
 * shard owning a partition consumes it in order, makes what it decided durable, and only then lets the handler
 * return, which acknowledges the message. A shard's snapshot records the sequence it covers and recovery consumes
 * from there, so the log is the journal and the snapshot only a shortcut through it.
 *
 * Sequences: positive integers, strictly increasing within a partition, with gaps (JetStream numbers the whole
 * stream; Kafka would number each partition). Compare them only within one partition; 0 means "nothing yet".
 */
export interface EventLog {
  /** How many partitions the log has: `partitionOf(key, partitions)` routes a number. */
  readonly partitions: number;

  /**
   * Appends `payload` to `partition` and resolves once the server has stored it. `msgId` names the message for
   * deduplication: publishing the same id again within the log's duplicate window (a retry after a timeout or a
   * crash) stores nothing and answers the first copy's sequence with `duplicate: true`. Derive it from the content's
   * origin (a request id and a batch number), never from a clock.
   *
   * @throws EventLogUnavailableError when the server cannot be reached or does not answer in time; the message may or
   * may not have been stored, and publishing it again with the same `msgId` is safe.
   */
  publish(partition: number, payload: Uint8Array, msgId: string): Promise<Published>;

  /**
   * Hands `partition`'s messages after `fromSeq` to `handler`, one at a time and in sequence order, until stopped.
   * A message is acknowledged only once `handler` resolves; when it throws, the same message comes again after a
   * short pause (`redelivered: true`) and nothing later is handed over before it has succeeded, so a handler that
   * cannot make progress stops its partition rather than skip a message. A message whose acknowledgement was lost
   * comes again too: within one consumption it is acknowledged without reaching the handler a second time; across
   * restarts the caller resumes from the sequence it made durable, so it never counts a message twice.
   *
   * `consumerName` names the durable consumer (with the partition). Starting a consumption repositions that consumer
   * at `fromSeq + 1` (a snapshot's sequence), whatever it had acknowledged before: the caller's durable state, not the
   * log's, says where to resume. One consumption per name and partition: a new one ends the one before (its `ended`
   * gives the error), so two processes never share a partition's messages without noticing.
   *
   * Survives losing the server: delivery pauses and resumes by itself once it is back.
   *
   * @throws EventLogUnavailableError when the server cannot be reached to set the consumer up.
   * @throws EventLogTruncatedError when messages after `fromSeq` have already been deleted by the log's retention:
   * resuming would skip them.
   * @throws EventLogRewoundError when the log ends before `fromSeq`: it is not the log the sequence came from (it was
   * recreated), and waiting for it to pass `fromSeq` would skip everything until then.
   */
  consume(partition: number, consumerName: string, fromSeq: number, handler: LogHandler): Promise<LogConsumption>;

  /** The sequence of the last message of `partition`, 0 when it has none. @throws EventLogUnavailableError */
  lastSeq(partition: number): Promise<number>;

  /** Stops every consumption (each after its current message) and closes the connection. */
  close(): Promise<void>;
}

export interface Published {
  /** Where the message is in the log (the first copy's place for a duplicate). */
  seq: number;
  /** True when `msgId` had already been stored and this publish stored nothing. */
  duplicate: boolean;
}

export interface LogMessage {
  seq: number;
  payload: Uint8Array;
  /** The log handed this message out before (a handler failed, or an acknowledgement was lost). */
  redelivered: boolean;
}

/** Resolve once the message's effects are durable; throw to have it delivered again. */
export type LogHandler = (message: LogMessage) => Promise<void>;

/** A running consumption of one partition. */
export interface LogConsumption {
  /** Stops after the message being handled, if any; resolves once its handler has returned. */
  stop(): Promise<void>;
  /**
   * Resolves when the consumption ends: undefined after stop() or close(); the error when it ended by itself (another
   * consumption replaced its consumer, the stream was deleted), after which the caller starts again from its state.
   */
  readonly ended: Promise<Error | undefined>;
}

/** The log's server cannot be reached or did not answer in time: a caller answers UNAVAILABLE and may retry. */
export class EventLogUnavailableError extends DomainError {
  readonly kind = ErrorKind.Unavailable;

  constructor(operation: string, cause?: unknown) {
    super(`the event log is unavailable (${operation})`);
    this.cause = cause;
  }
}

/**
 * Messages a consumer would need have already been deleted by the log's retention (max age): the snapshot is older
 * than the log keeps, and the shard must be rebuilt from a newer one rather than resume with a hole.
 */
export class EventLogTruncatedError extends DomainError {
  readonly kind = ErrorKind.FailedPrecondition;

  constructor(
    readonly partition: number,
    readonly fromSeq: number,
    readonly firstSeq: number,
  ) {
    super(`the event log no longer holds partition ${partition} after sequence ${fromSeq} (it starts at ${firstSeq})`);
  }
}

/**
 * The log ends before the sequence a consumer would resume after: it was recreated since the snapshot was taken, and
 * its sequences started again. The shards must be rebuilt for it (a re-shard), never resumed.
 */
export class EventLogRewoundError extends DomainError {
  readonly kind = ErrorKind.FailedPrecondition;

  constructor(
    readonly fromSeq: number,
    readonly lastSeq: number,
  ) {
    super(`the event log ends at sequence ${lastSeq}, before ${fromSeq}: it is not the log that sequence came from`);
  }
}
