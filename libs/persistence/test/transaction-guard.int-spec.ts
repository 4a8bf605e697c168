import { Column, DataSource, Entity, PrimaryGeneratedColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  dataSourceOptions,
  inTransaction,
  installTransactionGuard,
  outsideTransaction,
  QueryOutsideTransactionError,
  takeTransactionGuardViolations,
  transactionGuardEnabled,
} from '@app/persistence';
import { createTestDatabase, type TestDatabase } from '@app/testing';

@Entity('notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column('text') body!: string;
}

class CreateNotes1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE notes');
  }
}

const notesDatabase = { service: 'guard', entities: [Note], migrations: [CreateNotes1700000000000] };

/** A data source with `connections` pooled connections on a fresh database. */
async function openPool(db: TestDatabase, connections: number): Promise<DataSource> {
  const dataSource = new DataSource(
    dataSourceOptions(db.url, notesDatabase, undefined, { DATABASE_POOL_SIZE: String(connections) }),
  );
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

describe('the transaction guard', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    installTransactionGuard();
    db = await createTestDatabase('transaction_guard');
    // One connection: a query that waited for a second one while the transaction holds it would wait for ever.
    dataSource = await openPool(db, 1);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });
  beforeEach(() => dataSource.query('TRUNCATE notes'));

  const count = async () => Number((await dataSource.query('SELECT count(*) AS n FROM notes'))[0].n);

  it("lets every query through the transaction's manager, savepoints included", async () => {
    await dataSource.transaction(async (em) => {
      await em.query(`INSERT INTO notes (body) VALUES ('a')`);
      await em.transaction(async (inner) => inner.query(`INSERT INTO notes (body) VALUES ('b')`));
      await em.getRepository(Note).count();
    });
    expect(await count()).toBe(2);
    expect(takeTransactionGuardViolations()).toEqual([]);
  });

  it('throws naming a query inside a transaction that takes another connection, not waiting for the pool', async () => {
    const outside = dataSource.transaction(async (em) => {
      await em.query(`INSERT INTO notes (body) VALUES ('kept only if committed')`);
      // The shape of the admin's IssueDirective lock-up: a read through the data source, not the manager.
      await dataSource.query('SELECT carrier FROM ported_number WHERE msisdn = $1', ['+8619100000001']);
    });
    await expect(outside).rejects.toThrow(QueryOutsideTransactionError);
    await expect(outside).rejects.toThrow(
      new RegExp(
        String.raw`query "SELECT carrier FROM ported_number WHERE msisdn = \$1" ` +
          'ran on a connection of its own while a transaction of this call is open',
      ),
    );
    // Rolled back, and the one connection is free again.
    expect(await count()).toBe(0);
    expect(takeTransactionGuardViolations().map((v) => v.query)).toEqual([
      'query "SELECT carrier FROM ported_number WHERE msisdn = $1"',
    ]);
  });

  it('throws for a repository read and for a transaction of its own started inside a transaction', async () => {
    await expect(dataSource.transaction(() => dataSource.getRepository(Note).count())).rejects.toThrow(
      /query "SELECT COUNT\(1\)/,
    );
    await expect(dataSource.transaction(() => dataSource.transaction((em) => em.query('SELECT 1')))).rejects.toThrow(
      /query "START TRANSACTION"/,
    );
    expect(takeTransactionGuardViolations()).toHaveLength(2);
  });

  it('leaves alone work outside the transaction: via outsideTransaction, or still running after it ended', async () => {
    let detached: Promise<unknown> | undefined;
    let lingering: Promise<unknown> | undefined;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await dataSource.transaction(async (em) => {
      // Neither is awaited here: each waits for the one connection until the transaction has ended.
      detached = outsideTransaction(() => dataSource.query(`INSERT INTO notes (body) VALUES ('flushed on its own')`));
      lingering = released.then(() => dataSource.query(`INSERT INTO notes (body) VALUES ('after the transaction')`));
      await em.query(`INSERT INTO notes (body) VALUES ('in the transaction')`);
    });
    release();
    await Promise.all([detached, lingering]);
    expect(await count()).toBe(3);
    expect(takeTransactionGuardViolations()).toEqual([]);
  });

  it("does not hold another database's queries to the transaction", async () => {
    const otherDb = await createTestDatabase('transaction_guard_other');
    const other = await openPool(otherDb, 1);
    try {
      await dataSource.transaction(async (em) => {
        await other.query(`INSERT INTO notes (body) VALUES ('other database')`);
        await em.query(`INSERT INTO notes (body) VALUES ('this database')`);
      });
      expect(await count()).toBe(1);
      expect(takeTransactionGuardViolations()).toEqual([]);
    } finally {
      await other.destroy();
      await otherDb.drop();
    }
  });

  it('enables its storage only while a transaction runs, and guards the next one as before', async () => {
    // While it is enabled, Node runs its hooks on every async operation of the process (call setup's too).
    expect(transactionGuardEnabled()).toBe(false);
    const seen: boolean[] = [];
    const one = dataSource.transaction(async (em) => {
      seen.push(transactionGuardEnabled());
      await em.query(`INSERT INTO notes (body) VALUES ('one')`);
    });
    const two = dataSource.transaction(async (em) => {
      await em.transaction(async (inner) => {
        await inner.query(`INSERT INTO notes (body) VALUES ('two')`);
        seen.push(transactionGuardEnabled());
      });
      seen.push(transactionGuardEnabled());
    });
    await Promise.all([one, two]);
    expect(seen).toEqual([true, true, true]);
    expect(transactionGuardEnabled()).toBe(false);
    expect(inTransaction()).toBe(false);
    expect(outsideTransaction(() => 'ran')).toBe('ran');

    await expect(dataSource.transaction(() => dataSource.query('SELECT 1'))).rejects.toThrow(
      QueryOutsideTransactionError,
    );
    expect(takeTransactionGuardViolations()).toHaveLength(1);
    expect(transactionGuardEnabled()).toBe(false);
    expect(await count()).toBe(2);
  });
});
