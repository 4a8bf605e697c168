import type { DataSource, EntityManager } from 'typeorm';
import { retryOnUniqueViolation } from './retry';

/** Namespace of the advisory locks that serialise the writers of one idempotency key. */
const KEY_LOCK_SPACE = 727_004;

/** What the first call with a key answered, and the hash of the content it was made with. */
export interface StoredAnswer<R> {
  contentHash: string;
  result: R;
}

export interface IdempotentAnswer<R> {
  result: R;
  /** The key was used before with the same content: `result` is that first call's answer. */
  replayed: boolean;
}

/** What changes outside the database (in memory, counters) do when the transaction ends. */
export interface TransactionHooks {
  /** Runs `undo` if the transaction does not commit. */
  onRollback(undo: () => void): void;
  /** Runs `done` once the transaction committed. */
  onCommit(done: () => void): void;
}

export interface IdempotentWrite<R> {
  dataSource: DataSource;
  /** What the keys belong to (`admin.directive`, `carrier.reactivation`); scopes never share a key. */
  scope: string;
  key: string;
  /** Hash of the request's content: the same key with other content is refused. */
  contentHash: string;
  /** The first call's stored answer, read in the transaction. */
  find(em: EntityManager): Promise<StoredAnswer<R> | undefined>;
  /** Makes the change and stores what `find` reads back, in the transaction; runs once per key. */
  apply(em: EntityManager, hooks: TransactionHooks): Promise<R>;
  /** The service's own error for the key used again with other content (ALREADY_EXISTS naming the key's field). */
  reused(stored: StoredAnswer<R>): Error;
}

/**
 * The one idempotent write: in one transaction, the key's advisory lock first
 * (so concurrent twins, in this process or another replica, wait for the first
 * instead of racing it), then find by key: the same content replays the stored
 * answer, other content is refused; else apply. Changes outside the database
 * registered with `onRollback` are undone when the transaction does not commit;
 * `onCommit` steps run once it did.
 */
export async function idempotentWrite<R>(write: IdempotentWrite<R>): Promise<IdempotentAnswer<R>> {
  // A writer that does not take the lock (an older replica) can still win the key's unique index: then replay.
  return retryOnUniqueViolation(async () => {
    const undo: (() => void)[] = [];
    const done: (() => void)[] = [];
    let answer: IdempotentAnswer<R>;
    try {
      answer = await write.dataSource.transaction(async (em) => {
        await lockIdempotencyKeys(em, write.scope, [write.key]);
        const stored = await write.find(em);
        if (stored) {
          if (stored.contentHash !== write.contentHash) throw write.reused(stored);
          return { result: stored.result, replayed: true };
        }
        return { result: await write.apply(em, { onRollback: (step) => undo.push(step), onCommit: (step) => done.push(step) }), replayed: false };
      });
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
    for (const step of done) step();
    return answer;
  });
}

/**
 * Takes the advisory locks of these keys until the transaction ends, in one
 * order for every caller (so writers of overlapping batches never deadlock).
 * Take them first in the transaction, before any row lock.
 */
export async function lockIdempotencyKeys(em: EntityManager, scope: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await em.query(
    `SELECT pg_advisory_xact_lock($1, h) FROM (SELECT DISTINCT hashtext($2 || ':' || k) AS h FROM unnest($3::text[]) AS k ORDER BY h) AS ordered`,
    [KEY_LOCK_SPACE, scope, keys],
  );
}
