import { createTestDatabase, type TestDatabase } from '@app/testing';
import { migrateAll, migrationTargets } from './migrate-all';

describe('migrationTargets', () => {
  it('covers registry, admin and the default carriers', () => {
    const names = migrationTargets({}).map(({ db, instance }) => [db.service, instance]);
    expect(names).toEqual([['registry', undefined], ['admin', undefined], ['carrier', 'CMCC'], ['carrier', 'CUCC'], ['carrier', 'CTCC']]);
  });

  it('takes carriers from CARRIER_IDS', () => {
    expect(migrationTargets({ CARRIER_IDS: ' CMCC , CBN,' }).map(({ instance }) => instance)).toEqual([undefined, undefined, 'CMCC', 'CBN']);
  });
});

describe('migrateAll', () => {
  const databases: TestDatabase[] = [];

  afterAll(() => Promise.all(databases.map((database) => database.drop())));

  it('migrates every service database it is given, twice without harm', async () => {
    databases.push(...(await Promise.all(['registry', 'admin', 'carrier'].map((label) => createTestDatabase(`migrate_${label}`)))));
    const [registry, admin, carrier] = databases;
    const env = {
      CARRIER_IDS: 'CMCC',
      REGISTRY_DATABASE_URL: registry.url,
      ADMIN_DATABASE_URL: admin.url,
      CARRIER_CMCC_DATABASE_URL: carrier.url,
    };
    const first: string[] = [];
    await migrateAll(env, (line) => first.push(line));
    expect(first.map((line) => line.split(':')[0])).toEqual(['fraud_registry', 'fraud_admin', 'fraud_carrier_cmcc']);
    const second: string[] = [];
    await migrateAll(env, (line) => second.push(line));
    expect(second).toEqual(['fraud_registry: up to date', 'fraud_admin: up to date', 'fraud_carrier_cmcc: up to date']);
  });
});
