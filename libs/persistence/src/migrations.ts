import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';
import type { ServiceDatabase } from './service-database';

/** Creates the database if needed and applies pending migrations, one transaction each. Returns their names. */
export async function runMigrations(url: string, db: ServiceDatabase, instance?: string): Promise<string[]> {
  await ensureDatabase(url);
  const dataSource = new DataSource(dataSourceOptions(url, db, instance));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
