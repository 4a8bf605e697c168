import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { withMaintenanceClient } from '@app/persistence';
import { createTestDatabase, openTestDataSource } from '@app/testing';

async function databaseExists(url: string, name: string): Promise<boolean> {
  return withMaintenanceClient(url, async (client) =>
    Boolean((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount),
  );
}

class CreateWidgets1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE widgets (id int PRIMARY KEY)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE widgets');
  }
}

describe('test database harness', () => {
  it('gives every worker the DATABASE_URL from global setup', async () => {
    const url = process.env.DATABASE_URL;
    expect(url).toMatch(/^postgres(ql)?:\/\//);
    expect(new URL(url!).port).not.toBe('54329'); // never the development server
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  it('createTestDatabase makes a uniquely named database', async () => {
    const [first, second] = await Promise.all([createTestDatabase('My Label!'), createTestDatabase('My Label!')]);
    try {
      expect(first.name).toMatch(/^t_my_label_[0-9a-f]{8}$/);
      expect(second.name).not.toBe(first.name);
      expect(await databaseExists(first.url, first.name)).toBe(true);
    } finally {
      await Promise.all([first.drop(), second.drop()]);
    }
  });

  it('drop() removes the database even while sessions are open on it', async () => {
    const database = await createTestDatabase('drop');
    const session = new Client({ connectionString: database.url });
    session.on('error', () => undefined); // the drop terminates it
    await session.connect();
    await database.drop();
    expect(await databaseExists(database.url, database.name)).toBe(false);
    await session.end().catch(() => undefined);
  });

  it('openTestDataSource runs the real migrations on a fresh database', async () => {
    const { dataSource, url, drop } = await openTestDataSource({
      service: 'widgets',
      entities: [],
      migrations: [CreateWidgets1700000000000],
    });
    const name = new URL(url).pathname.slice(1);
    try {
      expect(name).toMatch(/^t_widgets_/);
      await dataSource.query('INSERT INTO widgets VALUES (1)');
      expect(await dataSource.query('SELECT id FROM widgets')).toEqual([{ id: 1 }]);
    } finally {
      await drop();
    }
    expect(dataSource.isInitialized).toBe(false);
    expect(await databaseExists(url, name)).toBe(false);
  });
});
