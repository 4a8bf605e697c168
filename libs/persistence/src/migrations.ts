import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { Env } from '@app/config';
import { migrationDataSourceOptions } from './data-source-options';
import { resolveDatabaseLogins } from './database-logins';
import { databaseOf } from './database-url';
import { applyGrants, ensureLoginRole } from './database-roles';
import { ensureDatabase } from './ensure-database';
import type { ServiceDatabase } from './service-database';

/** One migration run per database at a time, across processes (replicas starting together, npm run migrate). */
const MIGRATION_LOCK_KEY = 727_003;

/**
 * As the owner (`url`): creates the database if needed, applies pending
 * migrations (one transaction each), makes sure the service's login roles
 * exist, and grants them their privileges again. Returns the migrations applied.
 */
export async function runMigrations(
  url: string,
  db: ServiceDatabase,
  instance: string | undefined,
  env: Env,
  log: (message: string) => void = () => undefined,
): Promise<string[]> {
  if (await ensureDatabase(url)) log(`created database ${databaseOf(url)}`);
  const logins = resolveDatabaseLogins(db, instance, env, url);
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const dataSource = new DataSource(migrationDataSourceOptions(url, db, instance, env));
    await dataSource.initialize();
    let applied: string[];
    try {
      applied = (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
    for (const login of logins) await ensureLoginRole(url, login, log);
    await applyGrants(lock, logins);
    return applied;
  } finally {
    await lock.end();
  }
}
