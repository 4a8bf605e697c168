import { Client } from 'pg';
import { resolveDatabaseLogins, resolveDatabaseUrl } from '@app/persistence';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { migrateAll, migrationTargets } from './migrate-all';

describe('migrationTargets', () => {
  it('covers registry, admin and the default carriers', () => {
    const names = migrationTargets({}).map(({ db, instance }) => [db.service, instance]);
    expect(names).toEqual([
      ['registry', undefined],
      ['admin', undefined],
      ['carrier', 'CMCC'],
      ['carrier', 'CUCC'],
      ['carrier', 'CTCC'],
    ]);
  });

  it('takes carriers from CARRIER_IDS', () => {
    expect(migrationTargets({ CARRIER_IDS: ' CMCC , CBN,' }).map(({ instance }) => instance)).toEqual([
      undefined,
      undefined,
      'CMCC',
      'CBN',
    ]);
  });
});

describe('migrateAll', () => {
  const databases: TestDatabase[] = [];

  afterAll(() => Promise.all(databases.map((database) => database.drop())));

  it('migrates every service database it is given, twice without harm', async () => {
    databases.push(
      ...(await Promise.all(['registry', 'admin', 'carrier'].map((label) => createTestDatabase(`migrate_${label}`)))),
    );
    const [registry, admin, carrier] = databases;
    const env = {
      CARRIER_IDS: 'CMCC',
      REGISTRY_DATABASE_URL: registry.url,
      ADMIN_DATABASE_URL: admin.url,
      CARRIER_CMCC_DATABASE_URL: carrier.url,
    };
    const first: string[] = [];
    await migrateAll(env, (line) => first.push(line));
    // Besides each database's result, a first run on a new server says which roles it created.
    const results = first.filter((line) => /: (applied|up to date)/.test(line));
    expect(results.map((line) => line.split(':')[0])).toEqual(['fraud_registry', 'fraud_admin', 'fraud_carrier_cmcc']);
    const second: string[] = [];
    await migrateAll(env, (line) => second.push(line));
    expect(second).toEqual(['fraud_registry: up to date', 'fraud_admin: up to date', 'fraud_carrier_cmcc: up to date']);
  });

  it("leaves every service's application role able to append to its audit log and nothing more", async () => {
    const [registry, admin, carrier] = databases;
    const env = {
      CARRIER_IDS: 'CMCC',
      REGISTRY_DATABASE_URL: registry.url,
      ADMIN_DATABASE_URL: admin.url,
      CARRIER_CMCC_DATABASE_URL: carrier.url,
    };
    await migrateAll(env, () => undefined);
    for (const { db, instance } of migrationTargets(env)) {
      const owner = resolveDatabaseUrl(db.service, instance, env)!;
      const [app] = resolveDatabaseLogins(db, instance, env, owner);
      const client = new Client({ connectionString: app.url });
      await client.connect();
      try {
        await client.query(
          `INSERT INTO audit_event (at, actor, role, action, outcome, prev_hash, hash)
           VALUES (now(), 'a', 'r', 'x', 'OK', $1, $1)`,
          ['0'.repeat(64)],
        );
        for (const refused of [
          'DELETE FROM audit_event',
          'TRUNCATE audit_event',
          'ALTER TABLE audit_event DISABLE TRIGGER ALL',
          'DROP TRIGGER audit_event_no_change ON audit_event',
        ]) {
          await expect(client.query(refused)).rejects.toMatchObject({ code: '42501' });
        }
      } finally {
        await client.end();
      }
    }
  });
});
