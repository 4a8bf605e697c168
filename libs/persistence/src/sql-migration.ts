import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One statement of a migration: its SQL, or its SQL with the parameters it takes. */
export type MigrationStatement = string | { sql: string; parameters: unknown[] };

/** Runs the statements one after another on the migration's query runner (in its transaction). */
export async function runStatements(q: QueryRunner, statements: readonly MigrationStatement[]): Promise<void> {
  for (const statement of statements) {
    if (typeof statement === 'string') await q.query(statement);
    else await q.query(statement.sql, statement.parameters);
  }
}

/**
 * A migration that only runs SQL: `upSql` on the way up, `downSql` on the way
 * down, each in order. A subclass names itself (`name`, as the migrations table
 * records it) and lists its statements.
 */
export abstract class SqlMigration implements MigrationInterface {
  abstract readonly name: string;
  protected abstract readonly upSql: readonly MigrationStatement[];
  protected abstract readonly downSql: readonly MigrationStatement[];

  async up(q: QueryRunner): Promise<void> {
    await runStatements(q, this.upSql);
  }

  async down(q: QueryRunner): Promise<void> {
    await runStatements(q, this.downSql);
  }
}
