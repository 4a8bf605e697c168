import type { DataSource, EntityManager } from 'typeorm';
import { errorCode } from './ensure-database';

/** Namespace of the advisory locks that serialise the writers of one idempotency key. */
const KEY_LOCK_SPACE = 727_004;
const UNIQUE_VIOLATION = '23505';
/** How often a write that lost its key's unique index to a writer without the lock runs again (then it replays). */
const ATTEMPTS = 3;

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

/**
 * One request of an idempotent write: its key, and the hash of its content
 * (the same key with other content is refused).
 */
export interface KeyedRequest {
  key: string;
  contentHash: string;
}

/**
 * A batch of keyed requests written at once (SubmitFlags): all or none. Each
 * key's first answer is stored by `apply` and read back by `find`.
 */
export interface IdempotentBatch<Q extends KeyedRequest, R> {
  dataSource: DataSource;
  /** What the keys belong to (`admin.directive`, `carrier.reactivation`); scopes never share a key. */
  scope: string;
  requests: readonly Q[];
  /** The stored answers of those of `keys` used before, by key, read in the transaction. */
  find(em: EntityManager, keys: readonly string[]): Promise<ReadonlyMap<string, StoredAnswer<R>>>;
  /**
   * Makes the changes of the requests whose keys are new (each key once, in order)
   * and stores what `find` reads back; one answer each, in order.
   */
  apply(em: EntityManager, fresh: readonly Q[], hooks: TransactionHooks): Promise<readonly R[]>;
  /**
   * The service's error for requests[index], whose key was used with other
   * content: by an earlier call (`stored` is its answer), or by an earlier request
   * of the batch (`stored` is undefined). ALREADY_EXISTS naming the key's field.
   */
  reused(index: number, stored: StoredAnswer<R> | undefined): Error;
}

/** One keyed request written on its own. */
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
  /** The service's error for the key used again with other content (ALREADY_EXISTS naming the key's field). */
  reused(stored: StoredAnswer<R>): Error;
}

/** The one idempotent write (idempotentWrites) for a single request. */
export async function idempotentWrite<R>(write: IdempotentWrite<R>): Promise<IdempotentAnswer<R>> {
  const [answer] = await idempotentWrites<KeyedRequest, R>({
    dataSource: write.dataSource,
    scope: write.scope,
    requests: [{ key: write.key, contentHash: write.contentHash }],
    find: async (em) => {
      const stored = await write.find(em);
      return new Map(stored ? [[write.key, stored]] : []);
    },
    apply: async (em, _fresh, hooks) => [await write.apply(em, hooks)],
    reused: (_index, stored) => write.reused(stored!),
  });
  return answer;
}

/**
 * The one idempotent write: in one transaction, the keys' advisory locks first
 * (so concurrent twins, in this process or another replica, wait for the first
 * instead of racing it), then find by key: the same content replays the stored
 * answer, other content is refused; the new keys are applied. A key repeated in
 * the batch answers as its first request did. Changes outside the database
 * registered with `onRollback` are undone when the transaction does not commit;
 * `onCommit` steps run once it did.
 */
export async function idempotentWrites<Q extends KeyedRequest, R>(
  batch: IdempotentBatch<Q, R>,
): Promise<IdempotentAnswer<R>[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeOnce(batch);
    } catch (error) {
      // A writer that does not take the lock (an older replica) can still win a key's
      // unique index: then the next attempt replays it.
      if (errorCode(error) !== UNIQUE_VIOLATION || attempt >= ATTEMPTS) throw error;
    }
  }
}

async function writeOnce<Q extends KeyedRequest, R>(batch: IdempotentBatch<Q, R>): Promise<IdempotentAnswer<R>[]> {
  const undo: (() => void)[] = [];
  const done: (() => void)[] = [];
  let answers: IdempotentAnswer<R>[];
  try {
    answers = await batch.dataSource.transaction(async (em) => {
      const keys = [...new Set(batch.requests.map((request) => request.key))];
      await lockIdempotencyKeys(em, batch.scope, keys);
      const stored = await batch.find(em, keys);
      // Per request: its stored answer, or the index of the first request of the batch with its key.
      const first = new Map<string, number>();
      const fresh: Q[] = [];
      batch.requests.forEach((request, index) => {
        const earlier = stored.get(request.key);
        const firstIndex = first.get(request.key);
        if (earlier !== undefined) {
          if (earlier.contentHash !== request.contentHash) throw batch.reused(index, earlier);
        } else if (firstIndex !== undefined) {
          if (batch.requests[firstIndex].contentHash !== request.contentHash) throw batch.reused(index, undefined);
        } else {
          first.set(request.key, index);
          fresh.push(request);
        }
      });
      const results =
        fresh.length === 0
          ? []
          : await batch.apply(em, fresh, {
              onRollback: (step) => undo.push(step),
              onCommit: (step) => done.push(step),
            });
      if (results.length !== fresh.length)
        throw new Error(`${batch.scope}: ${results.length} answers for ${fresh.length} new keys`);
      const applied = new Map(fresh.map((request, i) => [request.key, results[i]]));
      return batch.requests.map((request, index) => {
        const earlier = stored.get(request.key);
        if (earlier !== undefined) return { result: earlier.result, replayed: true };
        return { result: applied.get(request.key) as R, replayed: first.get(request.key) !== index };
      });
    });
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
  for (const step of done) step();
  return answers;
}

/**
 * Takes the advisory locks of these keys until the transaction ends, in one
 * order for every caller (so writers of overlapping batches never deadlock).
 * Take them first in the transaction, before any row lock.
 */
async function lockIdempotencyKeys(em: EntityManager, scope: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await em.query(
    `SELECT pg_advisory_xact_lock($1, h)
     FROM (SELECT DISTINCT hashtext($2 || ':' || k) AS h FROM unnest($3::text[]) AS k ORDER BY h) AS ordered`,
    [KEY_LOCK_SPACE, scope, keys],
  );
}
