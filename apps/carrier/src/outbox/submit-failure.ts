import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Why a batch submission (SubmitFlags, SubmitCarrierFeed) failed, as the relay must act on it:
 * - `unreachable`: the peer is down, slow or overloaded; every message stays and is retried with backoff;
 * - `item-refused`: the peer refused one item for good (it names `flags[i]`, `items[i]`); that message is set
 *   aside, the rest go again at once;
 * - `batch-refused`: refused as a whole for a reason no one message explains (our token or role, a bug); kept
 *   and retried with backoff, loudly.
 */
export type SubmitFailure =
  | { kind: 'unreachable'; reason: string }
  | { kind: 'item-refused'; index: number; reason: string }
  | { kind: 'batch-refused'; reason: string };

const TRANSIENT: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
  GrpcStatus.CANCELLED,
  GrpcStatus.ABORTED,
]);
/** Refusals about one item's content; our services name the item in the details (`flags[3].msisdn: …`). */
const ABOUT_ONE_ITEM: ReadonlySet<number> = new Set([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.ALREADY_EXISTS]);

/** `itemsField`: the request's repeated field, as refusals name it (`flags`, `items`). */
export function classifySubmitFailure(error: unknown, batchSize: number, itemsField: string): SubmitFailure {
  const { code, details } = error as { code?: unknown; details?: unknown };
  // Not a gRPC status (e.g. a socket error surfacing as is): the peer was not reached.
  if (typeof code !== 'number' || GrpcStatus[code] === undefined)
    return { kind: 'unreachable', reason: (error as Error)?.message ?? String(error) };
  const reason = `${GrpcStatus[code]}: ${typeof details === 'string' ? details : ''}`;
  if (TRANSIENT.has(code)) return { kind: 'unreachable', reason };
  if (ABOUT_ONE_ITEM.has(code) && typeof details === 'string' && details.startsWith(`${itemsField}[`)) {
    const index = Number(/^\w+\[(\d+)\]/.exec(details)?.[1] ?? -1);
    if (index >= 0 && index < batchSize) return { kind: 'item-refused', index, reason };
  }
  return { kind: 'batch-refused', reason };
}
