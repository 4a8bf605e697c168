import { envInt, type Env } from '@app/config';
import { ErrorKind, errorCodes } from '@app/domain';

/**
 * What one client (one token subject in one role) may hold at once,
 * and how far a stream may run ahead of its reader.
 */
export interface ClientLimits {
  /** Unary calls and HTTP requests in flight (`LIMIT_CALLS_PER_CLIENT`). */
  callsPerClient: number;
  /** Open streaming calls (`LIMIT_STREAMS_PER_CLIENT`). */
  streamsPerClient: number;
  /**
   * Answers a stream holds for a client that does not read, beyond the transport's own buffer
   * (`LIMIT_STREAM_BUFFER`).
   */
  streamBuffer: number;
}

/** Optional: the limits, instead of the LIMIT_* variables (tests). */
export const CLIENT_LIMITS = Symbol('CLIENT_LIMITS');

export const DEFAULT_CLIENT_LIMITS: ClientLimits = { callsPerClient: 256, streamsPerClient: 16, streamBuffer: 1000 };

export function clientLimits(env: Env): ClientLimits {
  return {
    callsPerClient: envInt(env, 'LIMIT_CALLS_PER_CLIENT', DEFAULT_CLIENT_LIMITS.callsPerClient, 1, 1_000_000),
    streamsPerClient: envInt(env, 'LIMIT_STREAMS_PER_CLIENT', DEFAULT_CLIENT_LIMITS.streamsPerClient, 1, 100_000),
    streamBuffer: envInt(env, 'LIMIT_STREAM_BUFFER', DEFAULT_CLIENT_LIMITS.streamBuffer, 1, 1_000_000),
  };
}

/** A client past its share: RESOURCE_EXHAUSTED; it may retry once its other calls are done. */
export const ClientLimitError = errorCodes('ClientLimitError', {
  TOO_MANY_CALLS: ErrorKind.ResourceExhausted,
  TOO_MANY_STREAMS: ErrorKind.ResourceExhausted,
  NOT_READING: ErrorKind.ResourceExhausted,
});
