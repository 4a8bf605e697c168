import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from './data-source-options';

/**
 * A connection of its own beside a DataSource's pool, for what must outlive a pooled session's turn (an advisory lock
 * held for the process's life, a LISTEN): the same database, the same bounded wait to connect, and named
 * `<the pool's application name>_<purpose>` in pg_stat_activity. Not connected yet.
 */
export function dedicatedClient(dataSource: DataSource, purpose: string): Client {
  const { url, applicationName, connectTimeoutMS } = dataSource.options as PostgresDataSourceOptions;
  return new Client({
    connectionString: url,
    application_name: `${applicationName ?? 'fraud'}_${purpose}`,
    connectionTimeoutMillis: connectTimeoutMS,
  });
}
