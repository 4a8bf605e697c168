import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager, type DataSource, type QueryRunner } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { ASYNC_CONTEXTS } from '@app/observability';

/**
 * A query ran on another connection of the database while a transaction of the
 * same call was open. Inside a transaction every query must go through its
 * EntityManager: a second connection taken while the first is held deadlocks the
 * pool as soon as every pooled connection is held by such a transaction.
 */
export class QueryOutsideTransactionError extends Error {
  override name = 'QueryOutsideTransactionError';

  constructor(readonly query: string) {
    super(
      `${query} ran on a connection of its own while a transaction of this call is open: ` +
        "use the transaction's EntityManager, " +
        'or run work that is not part of the transaction with outsideTransaction()',
    );
  }
}

interface OpenTransaction {
  readonly dataSource: DataSource;
  readonly queryRunner: QueryRunner;
  /** False once the transaction's callback has finished (work it started may still run). */
  open: boolean;
  readonly outer: OpenTransaction | undefined;
}

const transactions = new AsyncLocalStorage<OpenTransaction>();
/**
 * Transactions whose callback runs. The storage is disabled whenever none does:
 * while an AsyncLocalStorage is enabled Node 20 runs its hooks on every promise,
 * tick and write of the process (call setup's too), and the guard has nothing
 * to check outside an open transaction. The next transaction enables it again.
 */
let openTransactions = 0;
const GUARDED = Symbol.for('fraud.persistence.transactionGuard');
/** Where a test setup finds the guard's violations without loading TypeORM itself. */
export const TRANSACTION_GUARD = Symbol.for('fraud.persistence.transactionGuard.violations');
const MAX_QUERY_TEXT = 200;
let violations: QueryOutsideTransactionError[] = [];

/**
 * Marks the async context of every transaction (DataSource.transaction,
 * EntityManager.transaction) with its QueryRunner, and makes any query on another
 * QueryRunner of the same DataSource from inside that context throw
 * QueryOutsideTransactionError before it waits for a pooled connection. On in
 * the services and in every test run; safe to call more than once.
 */
export function installTransactionGuard(): void {
  const managerPrototype = EntityManager.prototype as EntityManager & { [GUARDED]?: true };
  (globalThis as Record<symbol, unknown>)[TRANSACTION_GUARD] = takeTransactionGuardViolations;
  if (managerPrototype[GUARDED]) return;
  managerPrototype[GUARDED] = true;
  ASYNC_CONTEXTS.set('transaction', transactionGuardEnabled);

  const transaction = EntityManager.prototype.transaction as (
    this: EntityManager,
    ...args: unknown[]
  ) => Promise<unknown>;
  EntityManager.prototype.transaction = function guardedTransaction(
    this: EntityManager,
    isolationOrWork: unknown,
    maybeWork?: unknown,
  ) {
    const work = (typeof isolationOrWork === 'function' ? isolationOrWork : maybeWork) as
      ((em: EntityManager) => Promise<unknown>) | undefined;
    if (typeof work !== 'function') return transaction.call(this, isolationOrWork, maybeWork);
    const marked = async (em: EntityManager) => {
      const open: OpenTransaction = {
        dataSource: em.dataSource,
        queryRunner: em.queryRunner!,
        open: true,
        outer: transactions.getStore(),
      };
      openTransactions++;
      try {
        return await transactions.run(open, () => work(em));
      } finally {
        open.open = false;
        if (--openTransactions === 0) transactions.disable();
      }
    };
    return typeof isolationOrWork === 'function'
      ? transaction.call(this, marked)
      : transaction.call(this, isolationOrWork, marked);
  } as EntityManager['transaction'];

  const runner = PostgresQueryRunner.prototype as PostgresQueryRunner & Record<string, unknown>;
  const query = runner.query;
  runner.query = function guardedQuery(this: PostgresQueryRunner, text: string, ...rest: unknown[]) {
    // The rollback of a transaction refused at its start follows from that refusal: not counted again.
    assertOwnConnection(this, () => quote(text), text !== 'ROLLBACK');
    return (query as (...args: unknown[]) => Promise<unknown>).call(this, text, ...rest);
  } as typeof query;
  const stream = runner.stream;
  runner.stream = function guardedStream(this: PostgresQueryRunner, text: string, ...rest: unknown[]) {
    assertOwnConnection(this, () => quote(text));
    return (stream as (...args: unknown[]) => Promise<unknown>).call(this, text, ...rest);
  } as typeof stream;
}

/**
 * Runs `work` outside any transaction's context: for work that merely starts
 * inside a transaction but runs on its own (a group-commit flush, a timer, a
 * wake-up), whose queries rightly take their own connection.
 */
export function outsideTransaction<T>(work: () => T): T {
  return openTransactions === 0 ? work() : transactions.exit(work);
}

/** Whether the guard's storage is enabled (a transaction's callback runs): the tests read it. */
export function transactionGuardEnabled(): boolean {
  return openTransactions > 0;
}

/** Whether the caller runs inside an open transaction (of any DataSource). */
export function inTransaction(): boolean {
  for (let t = transactions.getStore(); t; t = t.outer) if (t.open) return true;
  return false;
}

/** The violations seen since the last call (tests assert there were none). */
export function takeTransactionGuardViolations(): QueryOutsideTransactionError[] {
  const taken = violations;
  violations = [];
  return taken;
}

function assertOwnConnection(queryRunner: QueryRunner, describe: () => string, count = true): void {
  for (let t = transactions.getStore(); t; t = t.outer) {
    if (!t.open || t.dataSource !== queryRunner.dataSource) continue;
    if (t.queryRunner === queryRunner) return;
    const error = new QueryOutsideTransactionError(describe());
    if (count) violations.push(error);
    throw error;
  }
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `query "${oneLine.length > MAX_QUERY_TEXT ? `${oneLine.slice(0, MAX_QUERY_TEXT)}…` : oneLine}"`;
}
