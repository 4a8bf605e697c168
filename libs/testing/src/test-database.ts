import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { envString } from '@app/config';
import { dataSourceOptions, ensureDatabase, installTransactionGuard, urlWithDatabase, withMaintenanceClient, type ServiceDatabase } from '@app/persistence';

export interface TestDatabase {
  url: string;
  name: string;
  /** Ends every session on it, then drops it. */
  drop(): Promise<void>;
}

export interface TestDataSource {
  dataSource: DataSource;
  url: string;
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
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40);
  return safe === '' ? 'db' : safe;
}

async function dropDatabase(url: string, name: string): Promise<void> {
  await withMaintenanceClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
}

/** A fresh database with the service's real migrations applied, its transactions guarded as in the services. */
export async function openTestDataSource(db: ServiceDatabase): Promise<TestDataSource> {
  installTransactionGuard();
  const database = await createTestDatabase(db.service);
  const dataSource = new DataSource(dataSourceOptions(database.url, db));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await closeAndDrop(dataSource, database);
    throw error;
  }
  return { dataSource, url: database.url, drop: () => closeAndDrop(dataSource, database) };
}

async function closeAndDrop(dataSource: DataSource, database: TestDatabase): Promise<void> {
  if (dataSource.isInitialized) await dataSource.destroy();
  await database.drop();
}
