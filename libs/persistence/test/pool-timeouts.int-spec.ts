import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';
import { createTestDatabase, type TestDatabase, until } from '@app/testing';

const db = { service: 'timeouts', entities: [], migrations: [] };

describe('pool timeouts', () => {
  let database: TestDatabase;
  let observer: Client;
  const pools: DataSource[] = [];

  const pool = async (env: Record<string, string>): Promise<DataSource> => {
    const dataSource = await new DataSource(dataSourceOptions(database.url, db, undefined, env)).initialize();
    pools.push(dataSource);
    return dataSource;
  };

  beforeAll(async () => {
    database = await createTestDatabase('timeouts');
    observer = new Client({ connectionString: database.url });
    await observer.connect();
  });
  afterAll(async () => {
    await observer.end();
    for (const dataSource of pools) await dataSource.destroy();
    await database.drop();
  });

  it('a transaction left open by a bug is ended by the server, its locks released, and the pool goes on', async () => {
    const dataSource = await pool({ DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '300' });
    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    const [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid');
    await runner.query('SELECT pg_advisory_xact_lock(4242)');
    // The "bug": nothing commits or rolls back.
    await until(
      async () => (await observer.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0,
      'the server to end the session',
    );
    expect((await observer.query('SELECT pg_try_advisory_lock(4242) AS free')).rows).toEqual([{ free: true }]);
    await observer.query('SELECT pg_advisory_unlock(4242)');
    await expect(runner.query('SELECT 1')).rejects.toThrow();
    await runner.release();
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('a statement that runs too long is cancelled by the server', async () => {
    const dataSource = await pool({ DATABASE_STATEMENT_TIMEOUT_MS: '200' });
    await expect(dataSource.query('SELECT pg_sleep(30)')).rejects.toMatchObject({ driverError: { code: '57014' } });
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('a query waits for a pooled connection only so long', async () => {
    const dataSource = await pool({ DATABASE_POOL_SIZE: '1', DATABASE_CONNECTION_TIMEOUT_MS: '200' });
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    try {
      await expect(dataSource.query('SELECT 1')).rejects.toThrow(/timeout exceeded when trying to connect/);
    } finally {
      await holder.release();
    }
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
