import type { DataSource, EntityManager } from 'typeorm';
import { idempotentWrite, type TransactionHooks } from './idempotent-write';

/** A validated request with an idempotency key, and the hash of the content it was made with. */
export interface KeyedContent {
  idempotencyKey: string;
  contentHash: string;
}

/** What a service does for its request: find its stored row, answer from it, refuse a reused key, apply. */
export interface RequestSteps<Row extends { contentHash: string }, R> {
  /** The row stored for the request's key, read in the transaction. */
  stored(em: EntityManager): Promise<Row | null | undefined>;
  /** What a stored row answers: the result a replay gives. */
  answer(row: Row): R;
  /** The service's error for the key used again with other content (ALREADY_EXISTS naming the key's field). */
  reused(): Error;
  /** Makes the change and stores its row, in the transaction; runs once per key. */
  apply(em: EntityManager, hooks: TransactionHooks): Promise<R>;
}

/** A service's request written once per key (idempotentWrite), its answer kept in one stored row. */
export interface IdempotentRequest<Row extends { contentHash: string }, R> extends RequestSteps<Row, R> {
  dataSource: DataSource;
  /** What the keys belong to (`carrier.appeal`, `registry.verification`); scopes never share a key. */
  scope: string;
  request: KeyedContent;
}

/** The request's result, with whether it is the answer of an earlier call with the same key and content. */
export async function idempotentRequest<Row extends { contentHash: string }, R extends object>(
  write: IdempotentRequest<Row, R>,
): Promise<R & { replayed: boolean }> {
  const { result, replayed } = await idempotentWrite<R>({
    dataSource: write.dataSource,
    scope: write.scope,
    key: write.request.idempotencyKey,
    contentHash: write.request.contentHash,
    find: async (em) => {
      const row = await write.stored(em);
      return row ? { contentHash: row.contentHash, result: write.answer(row) } : undefined;
    },
    reused: () => write.reused(),
    apply: (em, hooks) => write.apply(em, hooks),
  });
  return { ...result, replayed };
}
