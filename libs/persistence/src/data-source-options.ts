import type { DataSourceOptions } from 'typeorm';
import { envInt, type Env } from '@app/config';
import { databaseNameFor } from './database-url';
import type { ServiceDatabase } from './service-database';

export type PostgresDataSourceOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

export const DEFAULT_POOL_SIZE = 10;

/** TypeORM options for one service's database: migrations only, never synchronize. */
export function dataSourceOptions(url: string, db: ServiceDatabase, instance?: string, env: Env = process.env): PostgresDataSourceOptions {
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
  };
}
