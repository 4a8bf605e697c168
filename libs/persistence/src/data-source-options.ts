import type { DataSourceOptions } from 'typeorm';
import { envInt, type Env } from '@app/config';
import { databaseNameFor } from './database-url';
import type { ServiceDatabase } from './service-database';

export type PostgresDataSourceOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

export const DEFAULT_POOL_SIZE = 10;
/**
 * Longer than any statement the services run (the carrier's start-up reads its
 * directory in pages of 50,000; the audit chain is verified in pages of 5,000),
 * short enough that a runaway query is ended rather than held for good.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
/**
 * A transaction may wait on a peer while it holds its lock (the carrier's
 * outbox relay: up to 10 s for the registry to answer); one left open by a bug
 * is ended by the server after this long, its locks released.
 */
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
/** How long a query waits for a pooled connection (or a new one to connect) before it fails. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 30_000;

const DAY_MS = 86_400_000;

/** The server-side limits every serving pool's sessions start with, from the environment. */
export interface PoolTimeouts {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  connectionTimeoutMs: number;
}

export function poolTimeouts(env: Env): PoolTimeouts {
  return {
    statementTimeoutMs: envInt(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 1, DAY_MS),
    idleInTransactionTimeoutMs: envInt(
      env,
      'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
      DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      1,
      DAY_MS,
    ),
    connectionTimeoutMs: envInt(env, 'DATABASE_CONNECTION_TIMEOUT_MS', DEFAULT_CONNECTION_TIMEOUT_MS, 1, DAY_MS),
  };
}

/**
 * TypeORM options for one service's pool: migrations only, never synchronize;
 * every session with a statement timeout and an idle-in-transaction timeout
 * (sent at connection start-up, enforced by the server), and a bounded wait
 * for a connection from the pool.
 */
export function dataSourceOptions(
  url: string,
  db: ServiceDatabase,
  instance: string | undefined,
  env: Env,
): PostgresDataSourceOptions {
  const timeouts = poolTimeouts(env);
  return {
    type: 'postgres',
    url,
    applicationName: databaseNameFor(db.service, instance),
    entities: db.entities,
    migrations: db.migrations,
    migrationsTableName: `${db.service}_migrations`,
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    synchronize: false,
    poolSize: envInt(env, 'DATABASE_POOL_SIZE', DEFAULT_POOL_SIZE, 1, 1000),
    connectTimeoutMS: timeouts.connectionTimeoutMs,
    extra: {
      statement_timeout: timeouts.statementTimeoutMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    },
  };
}

/**
 * The owner's options for running migrations: as dataSourceOptions, but a
 * migration's statements (an index on a large table) may run as long as they
 * need unless `DATABASE_MIGRATION_STATEMENT_TIMEOUT_MS` says otherwise (0: none).
 */
export function migrationDataSourceOptions(
  url: string,
  db: ServiceDatabase,
  instance: string | undefined,
  env: Env,
): PostgresDataSourceOptions {
  const options = dataSourceOptions(url, db, instance, env);
  return {
    ...options,
    extra: {
      ...options.extra,
      statement_timeout: envInt(env, 'DATABASE_MIGRATION_STATEMENT_TIMEOUT_MS', 0, 0, DAY_MS),
    },
  };
}
