import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Why a SubmitFlags call failed, as the relay must act on it:
 * - `unreachable`: the registry is down, slow or overloaded; every message stays and is retried with backoff;
 * - `flag-refused`: the registry refused one flag for good (it names `flags[i]`); that message is set aside, the rest go again at once;
 * - `batch-refused`: refused as a whole for a reason no one message explains (our token or role, a bug); kept and retried with backoff, loudly.
 */
export type SubmitFailure = { kind: 'unreachable'; reason: string } | { kind: 'flag-refused'; index: number; reason: string } | { kind: 'batch-refused'; reason: string };

const TRANSIENT: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
  GrpcStatus.CANCELLED,
  GrpcStatus.ABORTED,
]);
/** Refusals about a flag's content; the registry names the flag in the details. */
const ABOUT_ONE_FLAG: ReadonlySet<number> = new Set([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.ALREADY_EXISTS]);
const FLAG_FIELD = /^flags\[(\d+)\]/;

export function classifySubmitFailure(error: unknown, batchSize: number): SubmitFailure {
  const { code, details } = error as { code?: unknown; details?: unknown };
  // Not a gRPC status (e.g. a socket error surfacing as is): the registry was not reached.
  if (typeof code !== 'number' || GrpcStatus[code] === undefined) return { kind: 'unreachable', reason: (error as Error)?.message ?? String(error) };
  const reason = `${GrpcStatus[code]}: ${typeof details === 'string' ? details : ''}`;
  if (TRANSIENT.has(code)) return { kind: 'unreachable', reason };
  if (ABOUT_ONE_FLAG.has(code) && typeof details === 'string') {
    const index = Number(FLAG_FIELD.exec(details)?.[1] ?? -1);
    if (index >= 0 && index < batchSize) return { kind: 'flag-refused', index, reason };
  }
  return { kind: 'batch-refused', reason };
}
