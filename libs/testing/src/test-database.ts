import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { envString } from '@app/config';
import {
  dataSourceOptions,
  ensureDatabase,
  installTransactionGuard,
  resolveDatabaseLogins,
  runMigrations,
  urlWithDatabase,
  withMaintenanceClient,
  type ServiceDatabase,
} from '@app/persistence';

export interface TestDatabase {
  url: string;
  name: string;
  /** Ends every session on it, then drops it. */
  drop(): Promise<void>;
}

export interface TestDataSource {
  /** As the application role, like the service's own pool. */
  dataSource: DataSource;
  /** The application role's URL. */
  url: string;
  /** The owner's URL (migrations; what a test may do behind the service's back). */
  ownerUrl: string;
  drop(): Promise<void>;
}

/** A new, uniquely named database `t_<label>_<random>` on the DATABASE_URL server. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${safeLabel(label)}_${randomBytes(4).toString('hex')}`;
  const url = urlWithDatabase(envString(process.env, 'DATABASE_URL'), name);
  await ensureDatabase(url);
  return { url, name, drop: () => dropDatabase(url, name) };
}

function safeLabel(label: string): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 40);
  return safe === '' ? 'db' : safe;
}

async function dropDatabase(url: string, name: string): Promise<void> {
  await withMaintenanceClient(url, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/**
 * A fresh database with the service's real migrations applied by the owner and
 * a data source on it as the application role, as a service opens it, its
 * transactions guarded as in the services.
 */
export async function openTestDataSource(db: ServiceDatabase): Promise<TestDataSource> {
  installTransactionGuard();
  const database = await createTestDatabase(db.service);
  let dataSource: DataSource | undefined;
  try {
    await runMigrations(database.url, db, undefined, process.env);
    const app = resolveDatabaseLogins(db, undefined, process.env, database.url)[0];
    dataSource = new DataSource(dataSourceOptions(app.url, db, undefined, process.env));
    await dataSource.initialize();
    return { dataSource, url: app.url, ownerUrl: database.url, drop: () => closeAndDrop(dataSource, database) };
  } catch (error) {
    await closeAndDrop(dataSource, database);
    throw error;
  }
}

async function closeAndDrop(dataSource: DataSource | undefined, database: TestDatabase): Promise<void> {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await database.drop();
}

/** Rows of one query on a test database, over a connection of its own (to check, or set up, what a service stores). */
export async function rowsOf<Row = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query(sql, params)).rows as Row[];
  } finally {
    await pg.end();
  }
}
