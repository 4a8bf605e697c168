import { createHash } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One query a migration runs: its text and, when it has any, its parameters. */
export type RecordedQuery = [sql: string, parameters?: unknown[]];

/**
 * The queries a migration's `up` and `down` run, in order, as given to the query
 * runner (nothing reaches a database).
 */
export async function migrationSql(
  migration: new () => MigrationInterface,
): Promise<{ up: RecordedQuery[]; down: RecordedQuery[] }> {
  const record = async (step: 'up' | 'down') => {
    const queries: RecordedQuery[] = [];
    const runner = {
      query: (sql: string, parameters?: unknown[]) => {
        queries.push(parameters === undefined ? [sql] : [sql, parameters]);
        return Promise.resolve([]);
      },
    } as unknown as QueryRunner;
    await new migration()[step](runner);
    return queries;
  };
  return { up: await record('up'), down: await record('down') };
}

/**
 * Each migration's name with the SHA-256 of the exact queries it runs (migrationSql):
 * the SQL of a migration already applied somewhere must never change, and any
 * change to it, even of white space, changes its digest.
 */
export async function migrationDigests(
  migrations: readonly (new () => MigrationInterface)[],
): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const migration of migrations) {
    const name = new migration().name ?? migration.name;
    digests[name] = createHash('sha256')
      .update(JSON.stringify(await migrationSql(migration)))
      .digest('hex');
  }
  return digests;
}
