import { randomBytes } from 'node:crypto';
import { ConsoleLogger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ConfigError, ConfigModule } from '@app/config';
import {
  PersistenceModule,
  resolveDatabaseLogins,
  runMigrations,
  withMaintenanceClient,
  type PersistedClass,
  type ServiceDatabase,
} from '@app/persistence';
import { createTestDatabase, type TestDatabase } from '@app/testing';

class CreateLedger1700000000000 implements MigrationInterface {
  name = 'CreateLedger1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE entry (id bigserial PRIMARY KEY, body text NOT NULL)');
    await q.query('CREATE TABLE journal (id bigserial PRIMARY KEY, line text NOT NULL)');
    await q.query('CREATE TABLE seal (id bigserial PRIMARY KEY, head bigint NOT NULL)');
  }
  async down(): Promise<void> {}
}

class CreateTag1700000000001 implements MigrationInterface {
  name = 'CreateTag1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE tag (id bigserial PRIMARY KEY, name text NOT NULL)');
  }
  async down(): Promise<void> {}
}

const INSUFFICIENT_PRIVILEGE = { code: '42501' };

/** A ledger: entries the app may change, a journal it may only append to, seals only a second role writes. */
function ledger(migrations: PersistedClass[], entry: ServiceDatabase['appPrivileges'] = {}): ServiceDatabase {
  return {
    service: 'ledger',
    entities: [],
    migrations,
    appPrivileges: { journal: ['SELECT', 'INSERT'], seal: ['SELECT'], ...entry },
    roles: [{ name: 'sealer', defaultRole: 'unused', privileges: { seal: ['SELECT', 'INSERT'] }, entities: [] }],
  };
}

async function connected<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const server = () => process.env.DATABASE_URL!;

describe('database roles', () => {
  const suffix = randomBytes(3).toString('hex');
  const env = { DATABASE_APP_ROLE: `t_app_${suffix}`, DATABASE_SEALER_ROLE: `t_sealer_${suffix}` };
  const databases: TestDatabase[] = [];
  const roles = [env.DATABASE_APP_ROLE, env.DATABASE_SEALER_ROLE, `t_race_${suffix}`, `t_super_${suffix}`];

  const database = async (): Promise<TestDatabase> => {
    const db = await createTestDatabase('roles');
    databases.push(db);
    return db;
  };

  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    await withMaintenanceClient(server(), async (client) => {
      for (const role of roles) await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
    });
  });

  it('the owner migrates, creates each login role, and grants it exactly its privileges', async () => {
    const db = await database();
    const messages: string[] = [];
    await runMigrations(db.url, ledger([CreateLedger1700000000000]), undefined, env, (m) => messages.push(m));
    expect(messages).toEqual(
      expect.arrayContaining([
        `created database role ${env.DATABASE_APP_ROLE} (the app login)`,
        `created database role ${env.DATABASE_SEALER_ROLE} (the sealer login)`,
      ]),
    );
    const [app, sealer] = resolveDatabaseLogins(ledger([CreateLedger1700000000000]), undefined, env, db.url);

    await connected(app.url, async (client) => {
      expect((await client.query('SELECT current_user AS user')).rows).toEqual([{ user: env.DATABASE_APP_ROLE }]);
      await client.query(`INSERT INTO entry (body) VALUES ('a')`);
      await client.query(`UPDATE entry SET body = 'b'`);
      await client.query(`DELETE FROM entry`);
      await client.query(`INSERT INTO journal (line) VALUES ('appended')`);
      expect((await client.query('SELECT count(*)::int AS n FROM seal')).rows).toEqual([{ n: 0 }]);
      for (const refused of [
        `UPDATE journal SET line = 'changed'`,
        'DELETE FROM journal',
        'TRUNCATE journal',
        'TRUNCATE entry',
        'INSERT INTO seal (head) VALUES (1)',
        'ALTER TABLE entry ADD COLUMN x int',
        'DROP TABLE journal',
        'CREATE TABLE mine (id int)',
      ]) {
        await expect(client.query(refused)).rejects.toMatchObject(INSUFFICIENT_PRIVILEGE);
      }
    });
    await connected(sealer.url, async (client) => {
      await client.query('INSERT INTO seal (head) VALUES (1)');
      expect((await client.query('SELECT head FROM seal')).rows).toEqual([{ head: '1' }]);
      await expect(client.query('SELECT * FROM entry')).rejects.toMatchObject(INSUFFICIENT_PRIVILEGE);
      await expect(client.query('DELETE FROM seal')).rejects.toMatchObject(INSUFFICIENT_PRIVILEGE);
    });
  });

  it('grants again after each migration run: new tables get privileges, a narrowed list loses the rest', async () => {
    const db = await database();
    await runMigrations(db.url, ledger([CreateLedger1700000000000]), undefined, env);
    const later = ledger([CreateLedger1700000000000, CreateTag1700000000001], { entry: ['SELECT', 'INSERT'] });
    expect(await runMigrations(db.url, later, undefined, env)).toEqual(['CreateTag1700000000001']);
    const [app] = resolveDatabaseLogins(later, undefined, env, db.url);
    await connected(app.url, async (client) => {
      await client.query(`INSERT INTO tag (name) VALUES ('new')`);
      await client.query(`DELETE FROM tag`);
      await client.query(`INSERT INTO entry (body) VALUES ('kept')`);
      await expect(client.query(`UPDATE entry SET body = 'no longer'`)).rejects.toMatchObject(INSUFFICIENT_PRIVILEGE);
    });
  });

  it('several processes starting at once on a new role: one creates it, all of them log in', async () => {
    const raceEnv = { ...env, DATABASE_APP_ROLE: `t_race_${suffix}` };
    const dbs = await Promise.all([1, 2, 3, 4].map(() => database()));
    await Promise.all(dbs.map((db) => runMigrations(db.url, ledger([CreateLedger1700000000000]), undefined, raceEnv)));
    for (const db of dbs) {
      const [app] = resolveDatabaseLogins(ledger([CreateLedger1700000000000]), undefined, raceEnv, db.url);
      await connected(app.url, (client) => client.query(`INSERT INTO entry (body) VALUES ('raced')`));
    }
  });

  it('gives a role whose password was changed the configured one back', async () => {
    const db = await database();
    await runMigrations(db.url, ledger([CreateLedger1700000000000]), undefined, env);
    await withMaintenanceClient(db.url, (client) =>
      client.query(`ALTER ROLE ${client.escapeIdentifier(env.DATABASE_APP_ROLE)} PASSWORD 'something else'`),
    );
    const [app] = resolveDatabaseLogins(ledger([CreateLedger1700000000000]), undefined, env, db.url);
    // A server that checks passwords (the embedded one) now refuses the role; a trust-auth one lets it in regardless.
    const before = await connected(app.url, async () => 'logged in').catch((error: { code?: string }) => error.code);
    expect(['28P01', 'logged in']).toContain(before);
    const messages: string[] = [];
    await runMigrations(db.url, ledger([CreateLedger1700000000000]), undefined, env, (m) => messages.push(m));
    if (before === '28P01')
      expect(messages).toContain(`reset the password of database role ${env.DATABASE_APP_ROLE} (the app login)`);
    await connected(app.url, (client) => client.query('SELECT 1'));
  });

  describe('PersistenceModule', () => {
    const boot = async (moduleEnv: Record<string, string>) => {
      const app = await Test.createTestingModule({
        imports: [ConfigModule.forEnv(moduleEnv), PersistenceModule.forService(ledger([CreateLedger1700000000000]))],
      })
        .setLogger(new ConsoleLogger({ logLevels: ['error'] }))
        .compile();
      await app.init();
      return app;
    };

    it('refuses a login that could alter the tables, naming why without its password', async () => {
      const db = await database();
      const role = `t_super_${suffix}`;
      await withMaintenanceClient(db.url, (client) =>
        client.query(`CREATE ROLE ${client.escapeIdentifier(role)} LOGIN SUPERUSER PASSWORD 'hunter2-secret'`),
      );
      const url = new URL(db.url);
      url.username = role;
      url.password = 'hunter2-secret';
      const refused = boot({ LEDGER_DATABASE_URL: db.url, LEDGER_DATABASE_APP_URL: url.toString(), ...env });
      await expect(refused).rejects.toThrow(ConfigError);
      await expect(refused).rejects.toThrow(
        `LEDGER_DATABASE_APP_URL: the app login, role "${role}", is a superuser: it could alter or drop tables`,
      );
      await expect(refused).rejects.not.toThrow(/hunter2/);
    });

    it('refuses the owner as the application login', async () => {
      const db = await database();
      await expect(boot({ LEDGER_DATABASE_URL: db.url, LEDGER_DATABASE_APP_URL: db.url })).rejects.toThrow(
        /LEDGER_DATABASE_APP_URL: connects as "\w+", the owner of the tables/,
      );
    });

    it("serves from the application's URL alone once migrated, and says what to run when not", async () => {
      const migrated = await database();
      await runMigrations(migrated.url, ledger([CreateLedger1700000000000]), undefined, env);
      const [app] = resolveDatabaseLogins(ledger([CreateLedger1700000000000]), undefined, env, migrated.url);
      const [sealer] = resolveDatabaseLogins(ledger([CreateLedger1700000000000]), undefined, env, migrated.url).slice(
        1,
      );
      const module = await boot({ LEDGER_DATABASE_APP_URL: app.url, LEDGER_DATABASE_SEALER_URL: sealer.url });
      await module.close();

      const fresh = await database();
      const url = new URL(app.url);
      url.pathname = `/${fresh.name}`;
      await expect(boot({ LEDGER_DATABASE_APP_URL: url.toString(), DATABASE_SEALER_URL: sealer.url })).rejects.toThrow(
        new RegExp(
          String.raw`LEDGER_DATABASE_URL: is not set \(nor DATABASE_URL\), and 1 migration\(s\) have not run ` +
            String.raw`on the service's database: CreateLedger1700000000000\. Run npm run migrate`,
        ),
      );
    });
  });
});
